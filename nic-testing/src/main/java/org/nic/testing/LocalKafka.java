package org.nic.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.jboss.logging.Logger;

/**
 * A real single-node KRaft broker inside the test JVM (Kafka's own KafkaClusterTestKit), started once
 * per JVM and stopped at exit.
 */
final class LocalKafka {

    private static final Logger LOG = Logger.getLogger(LocalKafka.class);
    private static KafkaClusterTestKit cluster;

    private LocalKafka() {
    }

    static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = start();
            KafkaClusterTestKit started = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (Exception e) {
                    // the JVM is going away
                }
            }, "nic-test-kafka-stop"));
        }
        return cluster.bootstrapServers();
    }

    private static KafkaClusterTestKit start() {
        long t0 = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("nic-test-kafka");
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build())
                    // One broker: internal topics must not ask for more replicas than exist, or groups never form.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "2")
                    .setDeleteOnClose(true)
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            LOG.infof("test Kafka broker (KRaft) at %s, started in %d ms", kit.bootstrapServers(),
                    (System.nanoTime() - t0) / 1_000_000);
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test Kafka broker", e);
        }
    }
}
