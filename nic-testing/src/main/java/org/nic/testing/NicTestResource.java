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

    @Override
    public void stop() {
        // The broker and store outlive one service start; shutdown hooks stop them with the JVM.
    }
}
