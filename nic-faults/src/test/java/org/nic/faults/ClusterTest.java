package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.cli.KafkaAccess;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.testing.KafkaCluster;

/**
 * The broker cluster sites run (issue 24, point 1), secured as production is: three KRaft brokers, each a controller
 * of a static quorum, TLS and SCRAM logins on every node with one principal per service and its ACLs (deploy/k8s
 * users.yaml), NIC's topics as deploy/k8s declares them (12 partitions, replication factor 3, {@code min.insync.replicas}
 * 2). The broker leading most slide partitions is killed while a scanner's principal publishes: every event published
 * with acks=all before and after is there, once, and the broker rejoins every partition's in-sync replicas when it
 * comes back. The ACLs hold on every node: a principal without the right is refused before and after the kill.
 */
class ClusterTest {

    @Test
    void aSecuredThreeBrokerClusterLosesNothingWhenTheLeaderOfTheSlideTopicDies() throws Exception {
        Path dir = Files.createTempDirectory("nic-cluster");
        try (KafkaCluster cluster = KafkaCluster.startSecure(dir, 3, Pipeline.k8sBase())) {
            assertThat(cluster.secure()).isTrue();
            Map<Integer, TopicPartitionInfo> partitions = cluster.partitions(Topics.SLIDE_ARRIVED);
            assertThat(partitions).hasSize(12);
            assertThat(partitions.values()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            try (Admin admin = cluster.admin()) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SLIDE_ARRIVED);
                Config config = admin.describeConfigs(List.of(topic)).all().get(20, TimeUnit.SECONDS).get(topic);
                assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
            }
            String run = Long.toString(System.nanoTime(), 36);
            try (EventClient events = new EventClient(cluster.bootstrapServers(), cluster.security("nic-scanner"));
                 EventClient operator = new EventClient(cluster.bootstrapServers(), cluster.security(KafkaAccess.ADMIN))) {
                refusesTheEncoderOnSlideArrived(cluster);
                awaitAllowed(events, run);
                for (int i = 0; i < 40; i++) {
                    String id = "cluster-" + run + "-" + i;
                    events.publish(EventType.SLIDE_ARRIVED, id, new SlideArrived(id, "file:/x.svs", "test", null, null));
                }
                int leader = cluster.leaderOfMost(Topics.SLIDE_ARRIVED);
                cluster.node(leader).kill();
                for (int i = 40; i < 80; i++) {
                    String id = "cluster-" + run + "-" + i;
                    events.publish(EventType.SLIDE_ARRIVED, id, new SlideArrived(id, "file:/x.svs", "test", null, null));
                }
                assertThat(cluster.partitions(Topics.SLIDE_ARRIVED).values()).as("leaders moved off the dead broker")
                        .allSatisfy(p -> assertThat(p.leader().id()).isNotEqualTo(leader));
                refusesTheEncoderOnSlideArrived(cluster);
                List<String> keys = operator.read(null, Topics.SLIDE_ARRIVED).stream().map(r -> r.key())
                        .filter(k -> k.startsWith("cluster-" + run)).toList();
                assertThat(keys).hasSize(80);
                assertThat(Set.copyOf(keys)).hasSize(80);

                cluster.node(leader).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                Set<Integer> behind = Set.of(-1);
                while (!behind.isEmpty() && System.nanoTime() < deadline) {
                    behind = cluster.partitions(Topics.SLIDE_ARRIVED).values().stream().filter(p -> p.isr().size() < 3)
                            .map(TopicPartitionInfo::partition).collect(Collectors.toSet());
                    Thread.sleep(500);
                }
                assertThat(behind).as("partitions whose in-sync replicas lack the restarted broker").isEmpty();
            }
        }
    }

    /**
     * ACLs reach each broker through the metadata log, a moment after the controller took them: a scanner may be
     * refused for that moment (a site's scanner retries). Waits until its first event is taken.
     */
    static void awaitAllowed(EventClient scanner, String run) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                scanner.publish(EventType.SLIDE_ARRIVED, "probe-" + run, new SlideArrived("probe-" + run, "file:/x.svs", "test",
                        null, null));
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The encoder's principal reads slide-tiled; it may not write slide arrivals (only scanners may). */
    static void refusesTheEncoderOnSlideArrived(KafkaCluster cluster) {
        try (EventClient encoder = new EventClient(cluster.bootstrapServers(), FaultTest.quick(cluster.security("nic-encoder")))) {
            assertThatThrownBy(() -> encoder.publish(EventType.SLIDE_ARRIVED, "forged", new SlideArrived("forged", "file:/x.svs",
                    "test", null, null))).hasStackTraceContaining("TopicAuthorizationException");
        }
    }
}
