package org.nic.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points a Quarkus service under test at the real test broker and store. The broker and store live for
 * the whole JVM, so test classes and profiles share them; each service's test bucket is created here.
 */
public class NicTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", NicTestInfrastructure.kafkaBootstrapServers());
        // The service under test logs in to the secured test broker as its super user; the services the tests start as
        // processes (ServiceProcess) and the fault tests' pipeline log in as their own principals, under their ACLs.
        NicTestInfrastructure.kafkaSettings(org.nic.cli.KafkaAccess.ADMIN).forEach((k, v) -> config.put("kafka." + k, v));
        createRetryTopics();
        config.put("nic.storage.endpoint", NicTestInfrastructure.s3Endpoint());
        config.put("nic.storage.access-key", NicTestInfrastructure.s3AccessKey());
        config.put("nic.storage.secret-key", NicTestInfrastructure.s3SecretKey());
        config.put("nic.storage.bucket", NicTestInfrastructure.BUCKET);
        // Not nic.* keys: a service that runs no heads would stop at an unknown key; the services that do map them
        // in their %test profile (nic.trust.head-keys=${nictest.head-keys}).
        config.put("nictest.head-keys", TestKeys.trustedKeys().toString());
        config.put("nictest.signing-key", TestKeys.signingKey().toString());
        try (var store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET);
             var slides = NicTestInfrastructure.store(NicTestInfrastructure.SLIDE_BUCKET)) {
            // created by store(): nothing else to do
        }
        return config;
    }

    /**
     * The retry topics the service's configuration names beyond deploy/k8s's (tests configure shorter delays): made up
     * front with their source topic's partitions, as the broker makes no topic on use.
     */
    static void createRetryTopics() {
        java.util.Properties p = new java.util.Properties();
        try (var in = Thread.currentThread().getContextClassLoader().getResourceAsStream("application.properties")) {
            if (in == null) {
                return;
            }
            p.load(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        java.util.Set<String> topics = new java.util.TreeSet<>();
        p.stringPropertyNames().stream().filter(k -> k.endsWith(".delayed-retry-topic.topics"))
                .forEach(k -> topics.addAll(java.util.List.of(p.getProperty(k).split(","))));
        Map<String, Object> admin = new HashMap<>(NicTestInfrastructure.kafkaSettings(org.nic.cli.KafkaAccess.ADMIN));
        admin.put("bootstrap.servers", NicTestInfrastructure.kafkaBootstrapServers());
        try (org.apache.kafka.clients.admin.Admin a = org.apache.kafka.clients.admin.Admin.create(admin)) {
            Map<String, Integer> partitions = new HashMap<>();
            java.util.Set<String> existing = a.listTopics().names().get();
            java.util.List<org.apache.kafka.clients.admin.NewTopic> missing = new java.util.ArrayList<>();
            for (String t : topics) {
                String source = t.contains(".retry_") ? t.substring(0, t.lastIndexOf(".retry_")) : t;
                if (!existing.contains(t)) {
                    int n = partitions.computeIfAbsent(source, s -> partitionsOf(a, s));
                    missing.add(new org.apache.kafka.clients.admin.NewTopic(t, n, (short) 1));
                }
            }
            if (!missing.isEmpty()) {
                a.createTopics(missing).all().get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("could not make the test retry topics", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int partitionsOf(org.apache.kafka.clients.admin.Admin admin, String topic) {
        try {
            return admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (Exception e) {
            return 1;
        }
    }

    @Override
    public void stop() {
        // The broker and store outlive one service start; shutdown hooks stop them with the JVM.
    }
}
