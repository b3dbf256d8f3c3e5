package org.nic.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What deploy/k8s promises about trust (docs/security.md), checked on the rendered manifests: least-privilege
 * storage credentials, the head-signing key and trusted keys where they belong, one Kafka principal per service
 * whose ACLs cover exactly what its application.properties uses and nothing a stage must not do, default-deny
 * network policies with one per service, and the dashboard behind a TLS Ingress.
 */
final class TrustChecks {

    /** Kafka ACLs as Strimzi's simple authorization reads them: Read and Write imply Describe. */
    record Acl(String type, String name, String pattern, Set<String> operations) {

        boolean allows(String resourceType, String resource, String operation) {
            boolean matches = type.equals(resourceType)
                    && (pattern.equals("literal") ? name.equals(resource) : resource.startsWith(name));
            return matches && (operations.contains(operation) || operations.contains("All")
                    || operation.equals("Describe") && (operations.contains("Read") || operations.contains("Write")));
        }
    }

    private TrustChecks() {
    }

    static void check(List<JsonNode> docs, List<HasMetadata> typed, Map<String, PodSpec> pods) throws IOException {
        storage(pods);
        headKeys(typed, pods);
        oidc(pods);
        kafka(docs, pods);
        network(KubernetesManifestsTest.of(typed, NetworkPolicy.class));
        ingress(KubernetesManifestsTest.of(typed, Ingress.class));
    }

    static Set<String> secretsOf(PodSpec pod) {
        Set<String> names = new HashSet<>();
        pod.getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> names.add(v.getSecret().getSecretName()));
        for (Container c : pod.getContainers()) {
            c.getEnvFrom().stream().filter(e -> e.getSecretRef() != null).forEach(e -> names.add(e.getSecretRef().getName()));
            c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> names.add(e.getValueFrom().getSecretKeyRef().getName()));
        }
        return names;
    }

    /** The root credential belongs to MinIO and its setup Job; every service has its own, and only its own. */
    static void storage(Map<String, PodSpec> pods) {
        pods.forEach((name, pod) -> {
            Set<String> secrets = secretsOf(pod);
            if (secrets.contains("nic-storage-root")) {
                assertThat(name).as("who mounts MinIO's root credential").isIn("minio", "nic-storage-setup");
            }
            if (KubernetesManifestsTest.SERVICES.containsKey(name)) {
                String own = "nic-storage-" + name.substring("nic-".length());
                assertThat(secrets.stream().filter(s -> s.startsWith("nic-storage-")))
                        .as("%s's storage credentials", name).containsExactly(own);
            }
        });
    }

    /** Only the dashboard holds the OpenID Connect client's secret. */
    static void oidc(Map<String, PodSpec> pods) {
        pods.forEach((name, pod) -> {
            if (secretsOf(pod).contains("nic-dashboard-oidc")) {
                assertThat(name).as("who holds the OpenID Connect client secret").isEqualTo("nic-dashboard");
            }
        });
        assertThat(secretsOf(pods.get("nic-dashboard"))).as("the dashboard logs people in").contains("nic-dashboard-oidc");
    }

    /** The signing key is the trainer's alone; the services that run heads mount the trusted keys where the config points. */
    static void headKeys(List<HasMetadata> typed, Map<String, PodSpec> pods) {
        String trustPath = KubernetesManifestsTest.of(typed, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals("nic-config")).findFirst().orElseThrow()
                .getData().get("NIC_TRUST_HEAD_KEYS");
        assertThat(trustPath).isNotBlank();
        pods.forEach((name, pod) -> {
            if (secretsOf(pod).contains("nic-head-signing")) {
                assertThat(name).as("who holds the head-signing key").isEqualTo("nic-trainer");
            }
        });
        for (String name : List.of("nic-predictor", "nic-dashboard", "nic-trainer")) {
            PodSpec pod = pods.get(name);
            String volume = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null
                    && v.getConfigMap().getName().equals("nic-trusted-keys")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " mounts no trusted keys")).getName();
            assertThat(pod.getContainers().get(0).getVolumeMounts()).as("%s mounts the trusted keys at %s", name, trustPath)
                    .anyMatch(m -> m.getName().equals(volume) && m.getMountPath().equals(trustPath) && Boolean.TRUE.equals(m.getReadOnly()));
        }
        Container trainer = pods.get("nic-trainer").getContainers().get(0);
        String keyFile = trainer.getEnv().stream().filter(e -> e.getName().equals("NIC_TRAINER_SIGNING_KEY")).findFirst()
                .orElseThrow().getValue();
        assertThat(trainer.getVolumeMounts()).anyMatch(m -> keyFile.startsWith(m.getMountPath() + "/"));
    }

    static Map<String, List<Acl>> acls(List<JsonNode> docs) {
        return docs.stream().filter(d -> d.path("kind").asText().equals("KafkaUser")).collect(Collectors.toMap(
                d -> d.at("/metadata/name").asText(), d -> {
                    assertThat(d.at("/spec/authentication/type").asText()).isEqualTo("scram-sha-512");
                    List<Acl> acls = new ArrayList<>();
                    for (JsonNode a : d.at("/spec/authorization/acls")) {
                        Set<String> ops = new HashSet<>();
                        a.path("operations").forEach(o -> ops.add(o.asText()));
                        acls.add(new Acl(a.at("/resource/type").asText(), a.at("/resource/name").asText(),
                                a.at("/resource/patternType").asText("literal"), ops));
                    }
                    return acls;
                }));
    }

    static boolean allows(List<Acl> acls, String type, String resource, String operation) {
        return acls.stream().anyMatch(a -> a.allows(type, resource, operation));
    }

    static Set<String> who(Map<String, List<Acl>> users, String topic, String operation) {
        return users.entrySet().stream().filter(e -> allows(e.getValue(), "topic", topic, operation)).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /**
     * One principal per service, logging in with its own Secret, over the TLS listener; its ACLs grant what its
     * channels use (read off application.properties) and the stages' boundaries hold.
     */
    static void kafka(List<JsonNode> docs, Map<String, PodSpec> pods) throws IOException {
        JsonNode kafka = docs.stream().filter(d -> d.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        assertThat(kafka.at("/spec/kafka/authorization/type").asText()).isEqualTo("simple");
        for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
            assertThat(listener.path("tls").asBoolean()).as("listener %s is TLS", listener.path("name")).isTrue();
            assertThat(listener.at("/authentication/type").asText()).isEqualTo("scram-sha-512");
        }
        assertThat(kafka.at("/spec/kafka/config/auto.create.topics.enable").asBoolean(true)).isFalse();
        Set<String> topics = docs.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .map(d -> d.at("/spec/topicName").asText()).collect(Collectors.toSet());
        Map<String, List<Acl>> users = acls(docs);
        for (Map.Entry<String, String> service : KubernetesManifestsTest.SERVICES.entrySet()) {
            String user = service.getKey();
            assertThat(users).as("a KafkaUser for %s", user).containsKey(user);
            Container c = pods.get(user).getContainers().get(0);
            assertThat(c.getEnv()).as("%s logs in as its own user", user).anyMatch(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG")
                    && e.getValueFrom().getSecretKeyRef().getName().equals(user));
            List<Acl> acls = users.get(user);
            Properties p = KubernetesManifestsTest.properties(service.getValue());
            for (String key : p.stringPropertyNames()) {
                String value = p.getProperty(key);
                if (!key.startsWith("mp.messaging.")) {
                    continue;
                }
                boolean incoming = key.startsWith("mp.messaging.incoming.");
                if (key.endsWith(".topic") && !key.contains("dead-letter-queue")) {
                    if (value.contains("(")) { // a pattern (the dashboard): every declared topic it matches is readable
                        Pattern pattern = Pattern.compile(value);
                        List<String> matched = topics.stream().filter(t -> pattern.matcher(t).matches()).toList();
                        assertThat(matched).as("%s's pattern matches declared topics", user).isNotEmpty();
                        matched.forEach(t -> assertThat(allows(acls, "topic", t, "Read")).as("%s reads %s", user, t).isTrue());
                    } else {
                        assertThat(topics).as("%s's topic %s is declared", user, value).contains(value);
                        assertThat(allows(acls, "topic", value, incoming ? "Read" : "Write"))
                                .as("%s %s %s (%s)", user, incoming ? "reads" : "writes", value, key).isTrue();
                    }
                } else if (key.endsWith(".dead-letter-queue.topic")) {
                    assertThat(topics).as("dead-letter topic %s is declared", value).contains(value);
                    assertThat(allows(acls, "topic", value, "Write")).as("%s dead-letters to %s", user, value).isTrue();
                } else if (key.endsWith(".delayed-retry-topic.topics")) {
                    for (String t : value.split(",")) {
                        assertThat(allows(acls, "topic", t, "Write") && allows(acls, "topic", t, "Read"))
                                .as("%s retries through %s", user, t).isTrue();
                    }
                } else if (key.endsWith(".group.id")) {
                    String group = value.replace("${quarkus.uuid}", "6f1c0e9e-uuid");
                    assertThat(allows(acls, "group", group, "Read")).as("%s joins group %s", user, value).isTrue();
                    String strategy = p.getProperty(key.replace(".group.id", ".failure-strategy"));
                    if ("delayed-retry-topic".equals(strategy)) {
                        // SmallRye reads the retry topics in a group of its own, named after the channel's.
                        assertThat(allows(acls, "group", "kafka-delayed-retry-topic-" + group, "Read"))
                                .as("%s's retries read in group kafka-delayed-retry-topic-%s", user, value).isTrue();
                    }
                }
            }
        }
        assertThat(who(users, "nic.model.published.v1", "Write")).as("who may publish heads")
                .containsExactlyInAnyOrder("nic-trainer", "nic-operator");
        assertThat(who(users, "nic.model.decided.v1", "Write")).containsExactlyInAnyOrder("nic-trainer", "nic-operator");
        // Besides its producer, only an operator writes a stage's input: nic redrive publishes again what a stage gave up on.
        assertThat(who(users, "nic.slide.arrived.v1", "Write")).as("who may announce slides")
                .containsExactlyInAnyOrder("nic-scanner", "nic-operator");
        assertThat(who(users, "nic.label.recorded.v1", "Write")).as("who may label").containsExactly("nic-scanner");
        assertThat(who(users, "nic.slide.tiled.v1", "Write")).containsExactlyInAnyOrder("nic-tiler", "nic-operator");
        assertThat(who(users, "nic.slide.encoded.v1", "Write")).containsExactlyInAnyOrder("nic-encoder", "nic-operator");
        assertThat(who(users, "nic.slide.progress.v1", "Write")).containsExactly("nic-encoder");
        assertThat(who(users, "nic.slide.predicted.v1", "Write")).containsExactly("nic-predictor");
        assertThat(users.get("nic-dashboard")).as("the dashboard writes nothing")
                .allSatisfy(a -> assertThat(a.operations()).isSubsetOf("Read", "Describe"));
    }

    /** Default-deny both ways; each service only to Kafka and MinIO (the dashboard also the identity provider). */
    static void network(List<NetworkPolicy> policies) {
        assertThat(policies).as("a default-deny policy").anyMatch(p -> empty(p.getSpec().getPodSelector().getMatchLabels())
                && empty(p.getSpec().getPodSelector().getMatchExpressions())
                && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                && p.getSpec().getIngress().isEmpty() && p.getSpec().getEgress().isEmpty());
        for (String service : KubernetesManifestsTest.SERVICES.keySet()) {
            NetworkPolicy own = policies.stream().filter(p -> p.getSpec().getPodSelector().getMatchLabels() != null
                    && service.equals(p.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no NetworkPolicy for " + service));
            assertThat(own.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            Set<String> egress = new HashSet<>();
            own.getSpec().getEgress().forEach(r -> r.getTo().forEach(peer -> egress.add(describe(peer))));
            Set<String> allowedEgress = new HashSet<>(Set.of("pods strimzi.io/cluster=nic", "pods app=minio"));
            Set<String> allowedIngress = new HashSet<>(Set.of("namespace monitoring"));
            if (service.equals("nic-dashboard")) {
                allowedEgress.add("namespace identity");
                allowedIngress.add("namespace ingress-nginx");
            }
            assertThat(egress).as("%s may reach", service).isSubsetOf(allowedEgress).contains("pods strimzi.io/cluster=nic", "pods app=minio");
            Set<String> ingress = new HashSet<>();
            own.getSpec().getIngress().forEach(r -> r.getFrom().forEach(peer -> ingress.add(describe(peer))));
            assertThat(ingress).as("%s is reached by", service).isSubsetOf(allowedIngress);
            own.getSpec().getEgress().forEach(r -> assertThat(r.getPorts()).as("%s egress ports", service).isNotEmpty());
        }
    }

    private static boolean empty(Object selector) {
        return selector == null || selector instanceof Map<?, ?> m && m.isEmpty()
                || selector instanceof java.util.Collection<?> c && c.isEmpty();
    }

    private static String describe(NetworkPolicyPeer peer) {
        if (peer.getNamespaceSelector() != null) {
            return "namespace " + peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
        }
        Map<String, String> labels = peer.getPodSelector().getMatchLabels();
        if (labels.containsKey("strimzi.io/cluster")) {
            return "pods strimzi.io/cluster=" + labels.get("strimzi.io/cluster");
        }
        return "pods " + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The dashboard is reached over TLS through the Ingress. */
    static void ingress(List<Ingress> ingresses) {
        assertThat(ingresses).hasSize(1);
        Ingress i = ingresses.get(0);
        assertThat(i.getSpec().getTls()).isNotEmpty().allSatisfy(t -> assertThat(t.getSecretName()).isEqualTo("nic-dashboard-tls"));
        Set<String> hosts = i.getSpec().getTls().stream().flatMap(t -> t.getHosts().stream()).collect(Collectors.toSet());
        i.getSpec().getRules().forEach(r -> {
            assertThat(hosts).as("rule host %s has TLS", r.getHost()).contains(r.getHost());
            r.getHttp().getPaths().forEach(path -> assertThat(path.getBackend().getService().getName()).isEqualTo("nic-dashboard"));
        });
    }
}
