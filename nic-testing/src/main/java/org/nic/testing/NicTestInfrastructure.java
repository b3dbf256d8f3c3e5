package org.nic.testing;

import java.nio.file.Path;
import org.nic.storage.ObjectStore;

/**
 * The broker and object store a test run uses: external ones when their addresses are given
 * ({@code NIC_TEST_KAFKA_BOOTSTRAP}, {@code NIC_TEST_S3_ENDPOINT} with {@code NIC_TEST_S3_ACCESS_KEY} and
 * {@code NIC_TEST_S3_SECRET_KEY}; e.g. containers you started), otherwise an in-JVM KRaft broker and an
 * S3Proxy child process, each started once per JVM.
 */
public final class NicTestInfrastructure {

    /** NIC's bucket in tests. */
    public static final String BUCKET = "nic-test";
    /** A second bucket that plays the scanners' upload bucket. */
    public static final String SLIDE_BUCKET = "slides-test";

    private NicTestInfrastructure() {
    }

    /*
     * Quarkus loads test classes again for each test profile, so static fields alone would start a second
     * broker; the address of the one already started is kept in a JVM-wide system property instead.
     */
    private static final String STARTED_KAFKA = "nictest.started.kafka";
    private static final String STARTED_S3 = "nictest.started.s3";

    public static synchronized String kafkaBootstrapServers() {
        String external = setting("NIC_TEST_KAFKA_BOOTSTRAP");
        if (external != null) {
            return external;
        }
        synchronized (System.class) {
            if (System.getProperty(STARTED_KAFKA) == null) {
                System.setProperty(STARTED_KAFKA, LocalKafka.start());
                // The tests' own clients (EventClient reads these as the services read KAFKA_*) log in as the super user.
                kafkaSettings(org.nic.cli.KafkaAccess.ADMIN).forEach((k, v) ->
                        System.setProperty("KAFKA_" + k.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), v));
            }
            return System.getProperty(STARTED_KAFKA);
        }
    }

    /**
     * A principal's Kafka client settings on the tests' broker ({@code admin}, or one of deploy/k8s's: {@code nic-tiler},
     * ...); none for an external plaintext broker.
     */
    public static java.util.Map<String, String> kafkaSettings(String principal) {
        kafkaBootstrapServers();
        String principals = System.getProperty(LocalKafka.PRINCIPALS);
        if (principals == null) {
            return java.util.Map.of();
        }
        return KafkaProcess.clientSettings(Path.of(principals), Path.of(System.getProperty(LocalKafka.CA)), principal);
    }

    public static synchronized String s3Endpoint() {
        String external = setting("NIC_TEST_S3_ENDPOINT");
        if (external != null) {
            return external;
        }
        synchronized (System.class) {
            if (System.getProperty(STARTED_S3) == null) {
                System.setProperty(STARTED_S3, LocalS3.endpoint());
            }
            return System.getProperty(STARTED_S3);
        }
    }

    public static String s3AccessKey() {
        String external = setting("NIC_TEST_S3_ACCESS_KEY");
        return external != null ? external : LocalS3.ACCESS_KEY;
    }

    public static String s3SecretKey() {
        String external = setting("NIC_TEST_S3_SECRET_KEY");
        return external != null ? external : LocalS3.SECRET_KEY;
    }

    public static ObjectStore.Settings storeSettings(String bucket) {
        return new ObjectStore.Settings(s3Endpoint(), s3AccessKey(), s3SecretKey(), "us-east-1", bucket);
    }

    /** A client of the test store for {@code bucket}, which it creates if missing. Close it. */
    public static ObjectStore store(String bucket) {
        ObjectStore store = new ObjectStore(storeSettings(bucket));
        store.ensureBucket();
        return store;
    }

    /** The shared test data folder (../shared/data). */
    public static Path sharedData() {
        return org.nic.data.SharedData.folder();
    }

    private static String setting(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
