package org.nic.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/k8s as kubectl renders it ({@code kubectl kustomize deploy/k8s/overlays/<overlay>}): every resource
 * parses into the Kubernetes model (fabric8) with no field the model does not know; every reference
 * resolves (Service and PodDisruptionBudget selectors, ConfigMaps, Secrets, volume claims, probe ports,
 * autoscaling targets); the workloads run as non-root with a read-only root filesystem and every probe; the
 * images are the ones the image build makes; retry and dead-letter topics have their source's partitions;
 * the autoscalers watch the groups the services really use, never above the partition count.
 */
class KubernetesManifestsTest {

    /** Secrets the operator provides (deploy/k8s/base/config.yaml says how). */
    static final Set<String> OPERATOR_SECRETS = Set.of("nic-storage-root", "nic-storage-tiler", "nic-storage-encoder",
            "nic-storage-predictor", "nic-storage-trainer", "nic-storage-dashboard", "nic-storage-scanner", "nic-head-signing",
            "nic-dashboard-tls", "nic-dashboard-oidc");
    /** ConfigMaps the operator provides. */
    static final Set<String> OPERATOR_CONFIG_MAPS = Set.of("nic-trusted-keys");
    /** The Secret Strimzi writes the cluster CA into (for the Kafka named nic); KafkaUsers' Secrets carry their names. */
    static final String CLUSTER_CA = "nic-cluster-ca-cert";
    static final Map<String, String> SERVICES = Map.of("nic-tiler", "tiler-service", "nic-encoder", "encoder-service",
            "nic-predictor", "predictor-service", "nic-trainer", "trainer-service", "nic-dashboard", "dashboard-service");
    static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of(
            "v1/Namespace", Namespace.class, "v1/ConfigMap", ConfigMap.class, "v1/Service", Service.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class, "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class, "batch/v1/Job", Job.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class, "networking.k8s.io/v1/Ingress", Ingress.class);

    static final ObjectMapper YAML = new YAMLMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    static Path repository() {
        return Path.of(System.getProperty("nictest.repository", "..")).toAbsolutePath().normalize();
    }

    /** The overlay as {@code kubectl kustomize} renders it, one JSON tree per resource. */
    static List<JsonNode> render(String overlay) throws Exception {
        Path dir = repository().resolve("deploy/k8s/overlays/" + overlay);
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", dir, err).isZero();
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(out)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyResourceIsKnownToTheKubernetesModelAndEveryReferenceResolves(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        assertThat(docs).hasSizeGreaterThan(40);
        List<HasMetadata> typed = new ArrayList<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
            assertThat(doc.at("/metadata/namespace").asText()).as("%s in namespace nic", kind)
                    .isIn("nic", doc.path("kind").asText().equals("Namespace") ? "" : "nic");
            Class<? extends HasMetadata> type = MODEL.get(kind);
            if (type == null) {
                assertThat(kind).as("a custom resource NIC declares").isIn("kafka.strimzi.io/v1beta2/KafkaTopic",
                        "kafka.strimzi.io/v1beta2/KafkaUser", "kafka.strimzi.io/v1beta2/Kafka",
                        "kafka.strimzi.io/v1beta2/KafkaNodePool", "keda.sh/v1alpha1/ScaledObject");
                continue;
            }
            HasMetadata resource = YAML.treeToValue(doc, type);
            assertThat(unknownFields(resource, doc.path("kind").asText() + " " + resource.getMetadata().getName()))
                    .as("fields the Kubernetes model does not know").isEmpty();
            typed.add(resource);
        }
        List<Deployment> deployments = of(typed, Deployment.class);
        Set<String> configMaps = new java.util.HashSet<>(names(of(typed, ConfigMap.class)));
        configMaps.addAll(OPERATOR_CONFIG_MAPS);
        Set<String> secrets = new java.util.HashSet<>(OPERATOR_SECRETS);
        secrets.add(CLUSTER_CA);
        docs.stream().filter(d -> d.path("kind").asText().equals("KafkaUser")).forEach(d -> secrets.add(d.at("/metadata/name").asText()));
        Set<String> claims = names(of(typed, PersistentVolumeClaim.class));
        assertThat(names(deployments)).containsAll(SERVICES.keySet()).contains("minio");

        for (Service s : of(typed, Service.class)) {
            assertThat(deployments).as("a Deployment selected by Service %s", s.getMetadata().getName())
                    .anyMatch(d -> selects(s.getSpec().getSelector(), d));
        }
        for (PodDisruptionBudget b : of(typed, PodDisruptionBudget.class)) {
            assertThat(deployments).as("a Deployment under PodDisruptionBudget %s", b.getMetadata().getName())
                    .anyMatch(d -> selects(b.getSpec().getSelector().getMatchLabels(), d));
        }
        for (Deployment d : deployments) {
            assertThat(d.getSpec().getSelector().getMatchLabels()).as("%s selects its own pods", d.getMetadata().getName())
                    .allSatisfy((k, v) -> assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(k, v));
        }
        Map<String, PodSpec> pods = new java.util.LinkedHashMap<>();
        deployments.forEach(d -> pods.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
        of(typed, Job.class).forEach(j -> pods.put(j.getMetadata().getName(), j.getSpec().getTemplate().getSpec()));
        for (Map.Entry<String, PodSpec> entry : pods.entrySet()) {
            String name = entry.getKey();
            PodSpec pod = entry.getValue();
            assertThat(pod.getAutomountServiceAccountToken()).as("%s mounts no service account token", name).isFalse();
            pod.getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                    .forEach(v -> assertThat(claims).as("%s claim", name).contains(v.getPersistentVolumeClaim().getClaimName()));
            pod.getVolumes().stream().filter(v -> v.getSecret() != null)
                    .forEach(v -> assertThat(secrets).as("%s secret volume", name).contains(v.getSecret().getSecretName()));
            pod.getVolumes().stream().filter(v -> v.getConfigMap() != null)
                    .forEach(v -> assertThat(configMaps).as("%s configMap volume", name).contains(v.getConfigMap().getName()));
            for (Container c : pod.getContainers()) {
                c.getEnvFrom().forEach(e -> {
                    if (e.getConfigMapRef() != null) {
                        assertThat(configMaps).as("%s configMapRef", name).contains(e.getConfigMapRef().getName());
                    }
                    if (e.getSecretRef() != null) {
                        assertThat(secrets).as("%s secretRef", name).contains(e.getSecretRef().getName());
                    }
                });
                c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                        .forEach(e -> assertThat(secrets).contains(e.getValueFrom().getSecretKeyRef().getName()));
                c.getVolumeMounts().forEach(m -> assertThat(pod.getVolumes()).as("%s mount %s", name, m.getName())
                        .anyMatch(v -> v.getName().equals(m.getName())));
                assertThat(c.getResources().getRequests()).as("%s requests", name).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("%s limits", name).containsKey("memory");
                assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s runs as non-root", name).isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
                if (SERVICES.containsKey(name)) {
                    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as("%s read-only root", name).isTrue();
                    assertThat(c.getImage()).as("%s: an image the image build makes", name)
                            .matches("nic/" + SERVICES.get(name) + "(-gpu)?:[0-9.]+");
                    for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                        assertThat(probe).as("%s probes", name).isNotNull();
                        String port = probe.getHttpGet().getPort().getStrVal();
                        assertThat(c.getPorts()).as("%s probe port %s", name, port).anyMatch(p -> port.equals(p.getName()));
                    }
                    assertThat(repository().resolve(SERVICES.get(name)).resolve("pom.xml")).exists();
                }
            }
        }
        Deployment encoder = deployments.stream().filter(d -> d.getMetadata().getName().equals("nic-encoder")).findFirst()
                .orElseThrow();
        Container e = encoder.getSpec().getTemplate().getSpec().getContainers().get(0);
        if (overlay.equals("gpu")) {
            assertThat(e.getResources().getLimits()).containsKey("nvidia.com/gpu");
            assertThat(encoder.getSpec().getTemplate().getSpec().getNodeSelector()).containsKey("nvidia.com/gpu.present");
            assertThat(e.getImage()).startsWith("nic/encoder-service-gpu:");
            assertThat(e.getEnv()).anyMatch(v -> v.getName().equals("NIC_ENCODER_DEVICE") && v.getValue().equals("cuda:0"));
        } else {
            assertThat(e.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
            assertThat(e.getImage()).startsWith("nic/encoder-service:");
        }
        checkTopicsAndAutoscaling(docs, names(deployments));
        TrustChecks.check(docs, typed, pods);
    }

    /** Retry and dead-letter topics keep their source's partitions; autoscalers watch real groups, within bounds. */
    static void checkTopicsAndAutoscaling(List<JsonNode> docs, Set<String> deployments) throws IOException {
        Map<String, Integer> partitions = docs.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .peek(d -> {
                    assertThat(d.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("nic");
                    assertThat(d.at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(1);
                })
                .collect(Collectors.toMap(d -> d.at("/spec/topicName").asText(), d -> d.at("/spec/partitions").asInt()));
        for (String channel : List.of("tiler-service/slide-arrived", "encoder-service/slide-tiled",
                "encoder-service/encode-requested", "predictor-service/slide-encoded")) {
            Properties p = properties(channel.split("/")[0]);
            String prefix = "mp.messaging.incoming." + channel.split("/")[1] + ".";
            String topic = p.getProperty(prefix + "topic");
            assertThat(partitions).as("topic %s declared", topic).containsKey(topic);
            List<String> derived = new ArrayList<>(List.of(p.getProperty(prefix + "dead-letter-queue.topic")));
            derived.addAll(List.of(p.getProperty(prefix + "delayed-retry-topic.topics").split(",")));
            for (String t : derived) {
                assertThat(partitions.get(t)).as("%s has the partitions of %s (the retry strategy keeps a record's partition)",
                        t, topic).isEqualTo(partitions.get(topic));
            }
        }
        List<JsonNode> scalers = docs.stream().filter(d -> d.path("kind").asText().equals("ScaledObject")).toList();
        assertThat(scalers).extracting(d -> d.at("/spec/scaleTargetRef/name").asText())
                .containsExactlyInAnyOrder("nic-tiler", "nic-encoder");
        for (JsonNode s : scalers) {
            String target = s.at("/spec/scaleTargetRef/name").asText();
            assertThat(deployments).contains(target);
            JsonNode trigger = s.at("/spec/triggers/0/metadata");
            String topic = trigger.path("topic").asText();
            Properties p = properties(SERVICES.get(target));
            assertThat(p.stringPropertyNames()).as("%s consumes %s in group %s", target, topic, trigger.path("consumerGroup"))
                    .anyMatch(k -> k.endsWith(".topic") && topic.equals(p.getProperty(k))
                            && trigger.path("consumerGroup").asText().equals(p.getProperty(k.replace(".topic", ".group.id"))));
            assertThat(s.at("/spec/maxReplicaCount").asInt()).as("%s never above the partitions of %s", target, topic)
                    .isBetween(1, partitions.get(topic));
        }
    }

    static Properties properties(String module) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(repository().resolve(module).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    static boolean selects(Map<String, String> selector, Deployment d) {
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        return selector != null && !selector.isEmpty() && selector.entrySet().stream()
                .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    static <T> List<T> of(List<HasMetadata> all, Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static Set<String> names(List<? extends HasMetadata> resources) {
        return resources.stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet());
    }

    /**
     * Every field the model kept aside as unknown ({@code additionalProperties}), anywhere in the resource:
     * a misspelt or misplaced field that Kubernetes would reject or, worse, ignore.
     */
    static List<String> unknownFields(Object model, String where) {
        List<String> found = new ArrayList<>();
        walk(model, where, found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object o, String path, List<String> found, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                walk(x, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, found, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            try {
                Object value = getter.invoke(o);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        found.add(path + ": " + extra.keySet());
                    }
                } else {
                    walk(value, path + "." + getter.getName().substring(3), found, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
