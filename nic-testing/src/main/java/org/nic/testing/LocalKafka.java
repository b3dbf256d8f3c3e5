package org.nic.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The tests' broker: a real single-node KRaft broker as a child process ({@link KafkaProcess#startSecure}), secured as
 * NIC runs in production (TLS, SCRAM logins, the ACLs and topics of deploy/k8s), started once per JVM and stopped at
 * exit. Its principals file and CA are kept in JVM-wide system properties, so that every class loader of the JVM
 * (Quarkus loads test classes again per profile) logs in to the one broker.
 */
final class LocalKafka {

    private static final Logger LOG = Logger.getLogger(LocalKafka.class);
    static final String PRINCIPALS = "nictest.kafka.principals";
    static final String CA = "nictest.kafka.ca";

    private LocalKafka() {
    }

    /** Starts the broker and returns its address; its principals file and CA land in system properties. */
    static String start() {
        long t0 = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("nic-test-kafka");
            KafkaProcess kafka = KafkaProcess.startSecure(dir, Repository.root().resolve("deploy/k8s/base"));
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "nic-test-kafka-stop"));
            System.setProperty(PRINCIPALS, kafka.principalsFile().toString());
            System.setProperty(CA, kafka.caCertificate().toString());
            LOG.infof("test Kafka broker (KRaft, TLS and SCRAM logins, ACLs) at %s, started in %d ms", kafka.bootstrapServers(),
                    (System.nanoTime() - t0) / 1_000_000);
            return kafka.bootstrapServers();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test Kafka broker", e);
        }
    }
}
