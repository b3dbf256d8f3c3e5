package org.nic.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.nic.storage.ObjectStore;
import org.nic.testing.KafkaBrokers;
import org.nic.testing.KafkaCluster;
import org.nic.testing.KafkaProcess;
import org.nic.testing.S3ProxyProcess;
import org.nic.testing.ServiceProcess;

/**
 * NIC as it runs in production, every part a process of its own that can be killed: a KRaft broker (TLS and SCRAM)
 * or a cluster of them secured the same way ({@link #startCluster}), an S3-compatible store, and the tiler, encoder, trainer and
 * predictor from their jars, one replica each or several. Retries are shortened (stage retries give up after 10 s,
 * retry topics wait 5, 10, 20 and 40 s) so that faults play out in minutes; everything else is the services'
 * production configuration.
 */
final class Pipeline implements AutoCloseable {

    static final String ENCODER = "mtl-nic-v2";
    static final String TASK = "fault-score";
    static final String BUCKET = "nic";
    static final Duration START = Duration.ofSeconds(180);

    /** Each service's incoming slide channels and their topics, and the class/method of its stage's own retries. */
    private static final Map<String, String[]> STAGES = Map.of(
            "tiler-service", new String[] {"org.nic.tiler.service.TilingService/tile", "slide-arrived=nic.slide.arrived.v1"},
            "encoder-service", new String[] {"org.nic.encoder.service.EncodingService/encode",
                    "slide-tiled=nic.slide.tiled.v1", "encode-requested=nic.slide.encode-requested.v1"},
            "predictor-service", new String[] {"org.nic.predictor.service.PredictionService/predict",
                    "slide-encoded=nic.slide.encoded.v1"});

    /** The single secured broker; null when the pipeline runs on a {@link #cluster}. */
    final KafkaProcess kafka;
    /** The broker cluster; null when the pipeline runs on one {@link #kafka} broker. */
    final KafkaCluster cluster;
    /** Whichever of the two it runs on: what the services and the tests' clients log in to. */
    final KafkaBrokers brokers;
    final S3ProxyProcess s3;
    /** By module, or {@code module#n} for the n-th replica when there are several. */
    final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private Pipeline(KafkaProcess kafka, KafkaCluster cluster, S3ProxyProcess s3) {
        this.kafka = kafka;
        this.cluster = cluster;
        this.brokers = cluster != null ? cluster : kafka;
        this.s3 = s3;
    }

    /** Slide ids that make the tiler's JVM halt (the test-only fault switch). */
    static final String POISON = "poison-";

    /**
     * Starts everything on one secured broker, one replica of each service; the services in parallel.
     *
     * @param slideRoots folders that {@code file:} slide URIs may point into
     * @param labelsToTrain labels of {@link #TASK} after which the trainer trains a head
     */
    static Pipeline start(Path dir, List<Path> slideRoots, int labelsToTrain) throws IOException {
        // Security on, as in production: TLS and SCRAM logins, one principal per service with its ACLs (deploy/k8s).
        KafkaProcess kafka = KafkaProcess.startSecure(Files.createDirectories(dir.resolve("kafka")), k8sBase());
        S3ProxyProcess s3 = S3ProxyProcess.start(Files.createDirectories(dir.resolve("s3")), "nic-faults", "nic-faults-secret");
        return new Pipeline(kafka, null, s3).launch(slideRoots, labelsToTrain, 1);
    }

    /**
     * As {@link #start}, on a KRaft cluster of {@code brokers} nodes secured as the single broker is (TLS and SCRAM logins,
     * one principal per service with its ACLs; NIC's topics as deploy/k8s declares them: replication factor 3,
     * {@code min.insync.replicas} 2) with {@code replicas} replicas each of the tiler, encoder and predictor, and one
     * trainer; the replicas are {@code module#1} .. {@code module#n} in {@link #services}.
     */
    static Pipeline startCluster(Path dir, List<Path> slideRoots, int labelsToTrain, int brokers, int replicas)
            throws IOException {
        KafkaCluster cluster = KafkaCluster.startSecure(Files.createDirectories(dir.resolve("kafka")), brokers, k8sBase());
        S3ProxyProcess s3;
        try {
            s3 = S3ProxyProcess.start(Files.createDirectories(dir.resolve("s3")), "nic-faults", "nic-faults-secret");
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return new Pipeline(null, cluster, s3).launch(slideRoots, labelsToTrain, replicas);
    }

    private Pipeline launch(List<Path> slideRoots, int labelsToTrain, int replicas) throws IOException {
        try (ObjectStore store = store()) {
            store.ensureBucket();
        }
        String roots = String.join(",", slideRoots.stream().map(r -> r.toAbsolutePath().toString()).toList());
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        // The test-only fault switch: the tiler's JVM halts in the work on any slide whose id starts "poison-" (FaultTest).
        configs.put("tiler-service", withRetries("tiler-service", Map.of("nic.sources.allowed-roots", roots,
                "nic.stage.test-halt-on-slide-prefix", POISON)));
        configs.put("encoder-service", withRetries("encoder-service", Map.of("nic.sources.allowed-roots", roots,
                "nic.encoder.device", "cpu", "nic.encoder.default-id", ENCODER, "nic.encoder.chunk-cells", "8",
                "nic.encoder.progress-interval-millis", "200")));
        configs.put("trainer-service", trainerConfig(labelsToTrain));
        configs.put("predictor-service", withRetries("predictor-service", Map.of()));
        createRetryTopics(configs);
        ServiceProcess.Infrastructure infra = infrastructure();
        Map<String, CompletableFuture<ServiceProcess>> starting = new LinkedHashMap<>();
        configs.forEach((module, config) -> {
            int n = module.equals("trainer-service") ? 1 : replicas;
            for (int i = 1; i <= n; i++) {
                starting.put(n == 1 ? module : module + "#" + i, CompletableFuture.supplyAsync(() -> {
                    try {
                        return ServiceProcess.start(module, infra, config, START);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }));
            }
        });
        try {
            for (Map.Entry<String, CompletableFuture<ServiceProcess>> s : starting.entrySet()) {
                services.put(s.getKey(), s.getValue().join());
            }
        } catch (CompletionException e) {
            this.close();
            throw new IllegalStateException("a service did not start", e.getCause());
        }
        return this;
    }

    /** The trainer's settings: {@link #TASK} on {@link #ENCODER}'s grids, trained once {@code labelsToTrain} labels are in. */
    static Map<String, String> trainerConfig(int labelsToTrain) {
        return Map.ofEntries(
                Map.entry("nic.trainer.encoder-id", ENCODER),
                Map.entry("nic.tasks." + TASK + ".kind", "REGRESSION"),
                Map.entry("nic.trainer.retrain-after-labels", String.valueOf(labelsToTrain)),
                Map.entry("nic.trainer.crop", "16"),
                Map.entry("nic.trainer.crops", "4"),
                Map.entry("nic.trainer.epochs", "15"),
                Map.entry("nic.trainer.min-steps", "0"),
                Map.entry("nic.trainer.learning-rate", "0.003"),
                Map.entry("nic.trainer.held-out-share", "0.3"));
    }

    static Map<String, String> withRetries(String module, Map<String, String> config) {
        Map<String, String> out = new HashMap<>(config);
        String[] stage = STAGES.get(module);
        String ft = "quarkus.fault-tolerance.\"" + stage[0] + "\".";
        out.put(ft + "retry.max-duration", "10000");
        out.put(ft + "retry.delay", "1000");
        out.put(ft + "exponential-backoff.max-delay", "4000");
        for (int i = 1; i < stage.length; i++) {
            String channel = stage[i].split("=")[0];
            String topic = stage[i].split("=")[1];
            String prefix = "mp.messaging.incoming." + channel + ".delayed-retry-topic.";
            out.put(prefix + "topics", topic + ".retry_5000," + topic + ".retry_10000," + topic + ".retry_20000,"
                    + topic + ".retry_40000");
            out.put(prefix + "max-retries", "4");
        }
        return out;
    }

    /**
     * Labels for the trainer: {@code n} synthetic grids of the encoder's 128 channels whose first channel
     * carries the label, so that a head learns them, each labelled on {@link #TASK}.
     */
    void publishLabels(org.nic.cli.EventClient events, int n, long seed) {
        try (ObjectStore store = store()) {
            publishLabels(store, events, n, seed);
        }
    }

    /** As {@link #publishLabels(org.nic.cli.EventClient, int, long)}, into the given store. */
    static void publishLabels(ObjectStore store, org.nic.cli.EventClient events, int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            String slide = "labelled-" + i;
            double signal = r.nextGaussian();
            org.nic.testing.SyntheticGrids.write(store, org.nic.storage.StorageLayout.grid(slide, ENCODER),
                    org.nic.testing.SyntheticGrids.grid(slide, 128, signal, r));
            org.nic.event.LabelRecorded label = new org.nic.event.LabelRecorded(slide, "case-" + i, TASK, 50 + 10 * signal,
                    null, null, null, "nic-faults");
            events.publish(org.nic.event.EventType.LABEL_RECORDED, label.key(), label);
        }
    }

    ServiceProcess.Infrastructure infrastructure() {
        return new ServiceProcess.Infrastructure(brokers.bootstrapServers(), s3.endpoint(), s3.accessKey(), s3.secretKey(),
                BUCKET, brokers::clientSettings);
    }

    /** Whether the brokers take TLS and SCRAM logins only. */
    boolean secure() {
        return brokers.secure();
    }

    /** The brokers' addresses, one broker's or the cluster's. */
    String bootstrapServers() {
        return brokers.bootstrapServers();
    }

    /** deploy/k8s/base, whose users.yaml and topics.yaml the broker takes its principals, ACLs and topics from. */
    static Path k8sBase() {
        return Path.of(System.getProperty("nictest.repository", "..")).toAbsolutePath().normalize().resolve("deploy/k8s/base");
    }

    /** The tests' own clients log in as the broker's super user. */
    java.util.Properties admin() {
        return brokers.security(org.nic.cli.KafkaAccess.ADMIN);
    }

    /**
     * The shorter retry topics these tests configure (topics.yaml has the production ones): made up front, with their
     * source's partitions, since the broker makes no topic on use.
     */
    private void createRetryTopics(Map<String, Map<String, String>> configs) throws IOException {
        Map<String, Integer> partitions = new HashMap<>();
        org.nic.cli.KafkaAccess.topics(k8sBase().resolve("topics.yaml")).forEach(t -> partitions.put(t.name(), t.partitions()));
        List<org.apache.kafka.clients.admin.NewTopic> topics = new ArrayList<>();
        configs.values().forEach(c -> c.forEach((key, value) -> {
            if (key.endsWith(".delayed-retry-topic.topics")) {
                for (String t : value.split(",")) {
                    String source = t.substring(0, t.lastIndexOf(".retry_"));
                    // On a cluster, replicated as NIC's own topics are, so that a lost broker loses no retry.
                    short copies = (short) (cluster == null ? 1 : Math.min(3, cluster.nodes().size()));
                    topics.add(new org.apache.kafka.clients.admin.NewTopic(t, partitions.getOrDefault(source, 1), copies)
                            .configs(copies >= 3 ? Map.of("min.insync.replicas", "2") : Map.of()));
                }
            }
        }));
        Map<String, Object> admin = new HashMap<>(brokers.clientSettings(org.nic.cli.KafkaAccess.ADMIN));
        admin.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin a = org.apache.kafka.clients.admin.Admin.create(admin)) {
            a.createTopics(topics).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("could not make the tests' retry topics", e.getCause());
        }
    }

    /** The module's only replica, or its first. */
    ServiceProcess service(String module) {
        return services.containsKey(module) ? services.get(module) : services.get(module + "#1");
    }

    /** A client of NIC's bucket. Close it. */
    ObjectStore store() {
        return new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.accessKey(), s3.secretKey(), "us-east-1", BUCKET));
    }

    /** Every service's log, for a failed assertion's message. */
    String logs() {
        StringBuilder out = new StringBuilder();
        services.forEach((module, s) -> {
            try {
                String log = s.log();
                out.append("\n===== ").append(module).append(" =====\n")
                        .append(log, Math.max(0, log.length() - 6000), log.length());
            } catch (IOException e) {
                out.append("\n(no log of ").append(module).append(")");
            }
        });
        return out.toString();
    }

    @Override
    public void close() {
        services.values().forEach(ServiceProcess::close);
        s3.close();
        brokers.close();
    }
}
