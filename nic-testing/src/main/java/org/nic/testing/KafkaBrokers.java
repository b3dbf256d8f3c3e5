package org.nic.testing;

import java.util.Map;
import java.util.Properties;

/**
 * Brokers as their clients see them, one ({@link KafkaProcess}) or a cluster ({@link KafkaCluster}): where they listen
 * and how a principal logs in. What a test needs of either, so that it need not ask which it runs on.
 */
public interface KafkaBrokers extends AutoCloseable {

    /** The address list for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Whether the brokers take TLS and SCRAM logins only. */
    boolean secure();

    /** A principal's client settings (plain Kafka client keys); none for plaintext brokers. */
    Map<String, String> clientSettings(String principal);

    /** The same as {@link Properties}, for {@code new EventClient(bootstrap, properties)}. */
    default Properties security(String principal) {
        Properties p = new Properties();
        p.putAll(clientSettings(principal));
        return p;
    }

    /** Stops the brokers (their data stays on disk). */
    @Override
    void close();
}
