package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.cli.KafkaAccess;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.ModelPublished;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.grid.CompressedGrid;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.model.TaskKind;
import org.nic.slide.SyntheticSlides;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.testing.SyntheticGrids;
import org.nic.testing.TestKeys;
import org.nic.training.head.HeadLabel;
import org.nic.training.head.HeadTrainer;
import org.nic.trust.HeadSignature;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The cluster of issue 24 on NIC's own images in Docker, through Testcontainers (issue 24, point 8): three KRaft
 * brokers from {@code nic/kafka} (NIC's topics at their deploy/k8s partitions, replication factor 3, {@code
 * min.insync.replicas} 2), {@code nic/s3proxy}, and the tiler, two encoders and the predictor from their images, each
 * container as deploy/k8s runs it (user 185, the images' entrypoints, configuration from the environment). The
 * brokers live on an {@code events} network and the store on a {@code storage} network, the services on both, so that
 * Docker can cut one service from one of them: while slides are in work, the encoder writing a slide is cut from the
 * store for 30 s; once they are predicted, the encoder writing a large slide is cut from the brokers for 30 s (longer
 * than its consumer session: its partitions move to the other, idle encoder), then the broker leading most slide-tiled
 * partitions is killed and started again. Every slide is
 * predicted, each output once by CloudEvents id, and no grid has a chunk stored by one run while another was writing.
 * <p>Needs Docker and the images loaded in it ({@code deploy/images/build.sh}, then {@code deploy/images/load-docker.sh});
 * tagged {@code containers}, outside the default {@code mvn verify}: {@code .ci/run} loads the images and runs it with
 * {@code mvn -pl nic-faults verify -Dgroups=containers -DexcludedGroups=none}. Without Docker it fails and says so: it
 * never skips.
 */
@Tag("containers")
class ContainerClusterTest {

    static final String TAG = System.getProperty("nictest.image.tag", "0.1.0");
    /** The two networks' addresses: fixed, so that a broker advertises one address the host and the containers reach. */
    static final String EVENTS = "10.213.0.";
    static final String STORAGE = "10.213.1.";
    static final Duration TIMEOUT = Duration.ofMinutes(6);
    static final Duration CUT = Duration.ofSeconds(30);
    static final int SLIDES = 4;
    static final String ACCESS = "nic-containers";
    static final String SECRET = "nic-containers-secret";
    static final String TASK = "container-score";

    @Test
    void everySlideOnceWithAnEncoderCutFromTheStoreThenFromTheBrokersAndTheLeadingBrokerKilled() throws Exception {
        DockerClient docker = docker();
        for (String image : List.of("kafka", "s3proxy", "tiler-service", "encoder-service", "predictor-service")) {
            assertThat(docker.listImagesCmd().withImageNameFilter("nic/" + image + ":" + TAG).exec())
                    .as("nic/%s:%s in Docker (deploy/images/build.sh, then deploy/images/load-docker.sh)", image, TAG)
                    .isNotEmpty();
        }
        Path dir = Files.createTempDirectory("nic-containers");
        Path slideFile = SyntheticSlides.pyramid(dir.resolve("slides/he-8000.tif"), 8);
        Path largeFile = SyntheticSlides.pyramid(dir.resolve("slides/he-24000.tif"), 24);
        String run = Long.toString(System.nanoTime(), 36);
        List<GenericContainer<?>> containers = new ArrayList<>();
        try (Network events = network("nic-events-" + run, EVENTS + "0/24");
             Network storage = network("nic-storage-" + run, STORAGE + "0/24")) {
            String voters = "1@" + EVENTS + "11:9093,2@" + EVENTS + "12:9093,3@" + EVENTS + "13:9093";
            String clusterId = Uuid.randomUuid().toString();
            List<GenericContainer<?>> brokers = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                brokers.add(image("kafka", "kafka-" + n, events, EVENTS + (10 + n), null)
                        .withEnv("KAFKA_NODE_ID", String.valueOf(n)).withEnv("KAFKA_VOTERS", voters)
                        .withEnv("KAFKA_CLUSTER_ID", clusterId).withEnv("KAFKA_ADVERTISED_HOST", EVENTS + (10 + n))
                        .withEnv("KAFKA_DATA_DIR", "/tmp/kafka").withEnv("KAFKA_HEAP_OPTS", "-Xms128m -Xmx512m"));
            }
            GenericContainer<?> s3 = image("s3proxy", "s3", storage, STORAGE + "10", null).withEnv("S3_ACCESS_KEY", ACCESS)
                    .withEnv("S3_SECRET_KEY", SECRET).withEnv("S3_DATA_DIR", "/tmp/s3").withEnv("S3_HEAP_OPTS", "-Xmx256m");
            containers.addAll(brokers);
            containers.add(s3);
            Startables.deepStart(containers).get(2, TimeUnit.MINUTES);
            String bootstrap = "" + EVENTS + "11:9092," + EVENTS + "12:9092," + EVENTS + "13:9092";
            createTopics(bootstrap);
            String endpoint = "http://" + STORAGE + "10:9000";
            try (ObjectStore store = new ObjectStore(new ObjectStore.Settings(endpoint, ACCESS, SECRET, "us-east-1",
                    Pipeline.BUCKET));
                 EventTap tap = new EventTap(bootstrap, new Properties());
                 EventClient client = new EventClient(bootstrap, new Properties())) {
                awaitStore(store);
                Map<String, String> infra = Map.of("kafka.bootstrap.servers", bootstrap, "nic.storage.endpoint", endpoint,
                        "nic.storage.access-key", ACCESS, "nic.storage.secret-key", SECRET, "nic.storage.bucket", Pipeline.BUCKET);
                String roots = slideFile.getParent().toString();
                Map<String, String> encoder = Map.of("nic.sources.allowed-roots", roots, "nic.encoder.device", "cpu",
                        "nic.encoder.default-id", Pipeline.ENCODER, "nic.encoder.chunk-cells", "8",
                        "nic.encoder.progress-interval-millis", "200");
                GenericContainer<?> tiler = service("tiler-service", "tiler", events, storage, infra,
                        Map.of("nic.sources.allowed-roots", roots), slideFile, largeFile);
                GenericContainer<?> encoderOne = service("encoder-service", "encoder-1", events, storage, infra, encoder, slideFile,
                        largeFile);
                GenericContainer<?> encoderTwo = service("encoder-service", "encoder-2", events, storage, infra, encoder, slideFile,
                        largeFile);
                GenericContainer<?> predictor = service("predictor-service", "predictor", events, storage, infra, Map.of());
                List<GenericContainer<?>> services = List.of(tiler, encoderOne, encoderTwo, predictor);
                containers.addAll(services);
                Startables.deepStart(services).get(4, TimeUnit.MINUTES);

                ModelPublished head = publishHead(store, client);
                tap.await(Topics.MODEL_PUBLISHED, e -> head.key().equals(e.key()), TIMEOUT);
                EventTap.pause(3000); // the predictor reads the head from its own consumer of the topic

                Set<String> slides = new LinkedHashSet<>();
                for (int i = 0; i < SLIDES; i++) {
                    String slide = "containers-" + i + "-" + run;
                    slides.add(slide);
                    client.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + slideFile, "container-scanner",
                            null, null));
                }
                // 1. The encoder writing a slide a third of the way through its grid loses the store for 30 s.
                GenericContainer<?> cutFromStore = writer(tap, store, Set.copyOf(slides), 1 / 3.0, 2 / 3.0, encoderOne, encoderTwo);
                cut(docker, cutFromStore, storage, CUT);
                SlideOutputs.assertPredictedOnce(tap, store, slides, TIMEOUT, () -> logs(services));
                // Then, with both encoders idle, a slide nine times larger, whose encoding outlasts a consumer session by far.
                String large = "containers-large-" + run;
                slides.add(large);
                client.publish(EventType.SLIDE_ARRIVED, large, new SlideArrived(large, "file:" + largeFile, "container-scanner",
                        null, null));
                // 2. The encoder writing the large slide loses the brokers for 30 s early in that slide: longer than its
                // consumer session (10 s), so the slide's partition and record move to the other encoder, idle, which
                // begins a run of its own on the grid while the cut one, which still has the store, is in the middle of it.
                GenericContainer<?> cutFromBrokers = writer(tap, store, Set.of(large), 0.01, 0.2, encoderOne, encoderTwo);
                String cutHost = cutFromBrokers.getContainerInfo().getConfig().getHostName();
                cut(docker, cutFromBrokers, events, CUT);
                // 3. The broker leading most slide-tiled partitions dies, and starts again 10 s later with its data.
                int leader = leaderOfMost(bootstrap, Topics.SLIDE_TILED);
                GenericContainer<?> broker = brokers.get(leader - 1);
                docker.killContainerCmd(broker.getContainerId()).exec();
                EventTap.pause(10_000);
                docker.startContainerCmd(broker.getContainerId()).exec();

                SlideOutputs.assertPredictedOnce(tap, store, slides, TIMEOUT, () -> logs(services));
                for (String slide : slides) {
                    assertThat(tap.on(Topics.SLIDE_PREDICTED, slide)).as("%s predicted by the head", slide)
                            .allMatch(p -> p.json().toString().contains(head.headVersion()));
                }
                // The large slide moved: a later run of its grid is the other encoder's, which resumed the cut one's chunks.
                // The broker's death afterwards rebalances the group once more and may hand the slide back to the cut
                // encoder (the other one had not finished, so had not committed it): then the last run is the cut
                // one's again, resuming the other's chunks. Either way one run at a time, checked below.
                JsonNode provenance = EventJson.mapper().readTree(store.get(store.uri(
                        StorageLayout.grid(large, Pipeline.ENCODER) + ".zattrs"))).at("/nic/provenance");
                List<String> writers = new ArrayList<>();
                provenance.get("runs").forEach(r -> writers.add(r.get("writer").asText()));
                System.out.println("the large slide's runs: " + provenance.get("runs"));
                assertThat(writers).as("runs of the large slide's grid: the cut encoder's, then the other's (%s)", provenance)
                        .hasSizeGreaterThanOrEqualTo(2);
                assertThat(writers.get(0)).startsWith(cutHost + "/");
                assertThat(writers.subList(1, writers.size())).as("runs after the cut encoder's first (%s)", provenance)
                        .anyMatch(w -> !w.startsWith(cutHost + "/"));
                assertThat(tap.on(Topics.SLIDE_ENCODED, large)).as("the large grid resumed from the cut encoder's chunks")
                        .anyMatch(e -> e.json().get("resumedCells").asInt() > 0);
                // One writer at a time: the cut encoder, which still had the store, stopped writing once the other's run
                // began (the grid's run marker fences it), so one run encoded the grid to its end, not two. Each
                // finished run announces the grid (the same CloudEvents id: consumers drop the repeat), so two
                // different announcements that encoded the grid would be two writers at once.
                List<String> finishedRuns = tap.on(Topics.SLIDE_ENCODED, large).stream().filter(e -> !e.json().get("reused")
                        .asBoolean()).map(e -> e.json().toString()).distinct().toList();
                assertThat(finishedRuns).as("runs that encoded the large grid to its end%s", logs(List.of(encoderOne,
                        encoderTwo))).hasSize(1);
            }
        } finally {
            for (GenericContainer<?> c : containers) {
                c.stop();
            }
        }
    }

    /** Docker's client, or a failure that says how to get it: this test runs only when asked, and then must run. */
    static DockerClient docker() {
        try {
            return DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            throw new AssertionError("ContainerClusterTest needs a Docker engine (sudo deploy/images/load-docker.sh starts "
                    + "Debian's dockerd and loads NIC's images into it): " + e.getMessage(), e);
        }
    }

    /** A bridge network on a fixed subnet, so that containers can have fixed addresses on it. */
    static Network network(String name, String subnet) {
        return Network.builder().createNetworkCmdModifier(cmd -> cmd.withName(name).withIpam(
                new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                        new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(subnet)))).build();
    }

    /**
     * A container of {@code nic/<image>} on {@code network} at {@code address} (null: Docker's choice), and on
     * {@code second} too when not null (connected after the container is made, before it starts).
     */
    static NicContainer image(String image, String name, Network network, String address, Network second) {
        NicContainer c = new NicContainer(image, second);
        c.withNetwork(network).withNetworkAliases(name).withStartupTimeout(Duration.ofMinutes(3))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(name);
                    if (address != null) {
                        cmd.withIpv4Address(address);
                    }
                });
        return c;
    }

    /** A container of one of NIC's images, joined to a second network once made (Testcontainers joins one). */
    static final class NicContainer extends GenericContainer<NicContainer> {
        private final Network second;

        NicContainer(String image, Network second) {
            super(DockerImageName.parse("nic/" + image + ":" + TAG));
            this.second = second;
        }

        @Override
        protected void containerIsCreated(String containerId) {
            if (second != null) {
                DockerClientFactory.instance().client().connectToNetworkCmd().withNetworkId(second.getId())
                        .withContainerId(containerId).exec();
            }
        }
    }

    /**
     * A service from its image, configured as {@link org.nic.testing.ServiceProcess} configures its processes (the
     * infrastructure, the trust settings with their key files copied in, then {@code config}), through the image's
     * {@code JAVA_OPTS_APPEND}; ready when {@code /q/health/ready} answers.
     */
    static GenericContainer<?> service(String module, String name, Network events, Network storage, Map<String, String> infra,
                                       Map<String, String> config, Path... slides) {
        Map<String, String> settings = new HashMap<>(infra);
        TestKeys.settingsFor(module).forEach(settings::putIfAbsent);
        settings.putAll(config);
        int port = port(module);
        GenericContainer<?> c = image(module, name, events, null, storage)
                .withEnv("JAVA_OPTS", "-Xmx768m -XX:+ExitOnOutOfMemoryError "
                        + "-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
                .withEnv("JAVA_OPTS_APPEND", settings.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(" ")))
                .withExposedPorts(port)
                .waitingFor(Wait.forHttp("/q/health/ready").forPort(port).withStartupTimeout(Duration.ofMinutes(4)));
        for (String key : List.of("nic.trust.head-keys", "nic.trainer.signing-key")) {
            if (settings.containsKey(key)) {
                c.withCopyFileToContainer(MountableFile.forHostPath(settings.get(key), 0644), settings.get(key));
            }
        }
        for (Path slide : slides) {
            c.withCopyFileToContainer(MountableFile.forHostPath(slide, 0644), slide.toString());
        }
        return c;
    }

    /** The service's HTTP port, from its application.properties (as deploy/images/build.sh reads it). */
    static int port(String module) {
        try {
            Path properties = Path.of(System.getProperty("nictest.repository", "..")).resolve(module)
                    .resolve("src/main/resources/application.properties");
            return Files.readAllLines(properties).stream().filter(l -> l.startsWith("quarkus.http.port="))
                    .map(l -> Integer.parseInt(l.substring("quarkus.http.port=".length()).trim())).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** NIC's topics as deploy/k8s makes them, once the cluster answers (its nodes elect a controller first). */
    static void createTopics(String bootstrap) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (KafkaAccess.Topic t : KafkaAccess.topics(Pipeline.k8sBase().resolve("topics.yaml"))) {
            topics.add(new NewTopic(t.name(), t.partitions(), (short) Math.min(3, t.replicas())).configs(t.config()));
        }
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                // An earlier try may have made some before it timed out: make the rest.
                Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
                if (missing.isEmpty()) {
                    return;
                }
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the brokers did not take NIC's topics", e);
                }
                EventTap.pause(2000);
            }
        }
    }

    static int leaderOfMost(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).partitions()
                    .stream().filter(p -> p.leader() != null)
                    .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()))
                    .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    static void awaitStore(ObjectStore store) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (true) {
            try {
                store.ensureBucket();
                return;
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                EventTap.pause(1000);
            }
        }
    }

    /**
     * The encoder container writing one of {@code slides} while it is between {@code from} and {@code to} of its grid
     * (its run marker names the writer's host, the container's hostname).
     */
    static GenericContainer<?> writer(EventTap tap, ObjectStore store, Set<String> slides, double from, double to,
                                      GenericContainer<?>... encoders) throws IOException {
        EventTap.Event midway = tap.await(Topics.SLIDE_PROGRESS, e -> slides.contains(e.key())
                && e.json().get("done").asInt() >= e.json().get("total").asInt() * from
                && e.json().get("done").asInt() < e.json().get("total").asInt() * to, TIMEOUT);
        String marker = StorageLayout.grid(midway.key(), Pipeline.ENCODER) + ".nic-run.json";
        JsonNode runs = EventJson.mapper().readTree(store.get(store.uri(marker))).get("runs");
        String writer = runs.get(runs.size() - 1).get("writer").asText();
        for (GenericContainer<?> e : encoders) {
            if (writer.startsWith(e.getContainerInfo().getConfig().getHostName() + "/")) {
                return e;
            }
        }
        throw new AssertionError("the run marker of " + midway.key() + " names " + writer + ", none of the encoders");
    }

    /** Cuts the container from the network for {@code how long}, then connects it again at its old address. */
    static void cut(DockerClient docker, GenericContainer<?> container, Network network, Duration howLong) {
        docker.disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(container.getContainerId()).exec();
        EventTap.pause(howLong.toMillis());
        docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(container.getContainerId()).exec();
    }

    /**
     * A head for the test's task on the encoder's grids: an arrangement head trained here on synthetic grids (pure Java,
     * seconds), signed with the key the predictor trusts, stored and announced as the trainer would.
     */
    static ModelPublished publishHead(ObjectStore store, EventClient client) {
        Random r = new Random(7);
        List<CompressedGrid> grids = new ArrayList<>();
        List<HeadLabel> labels = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            double signal = r.nextGaussian();
            grids.add(SyntheticGrids.grid("container-label-" + i, 128, signal, r));
            labels.add(HeadLabel.regression(50 + 10 * signal));
        }
        HeadTrainer.Result head = HeadTrainer.train(grids, labels, new HeadTrainer.Settings(TaskKind.REGRESSION, 0, 16, 0, 8, 0, 7)
                .withType(HeadTrainer.Type.ARRANGEMENT_COMPOSITION));
        byte[] onnx = head.onnx();
        String sha = Sha256.hex(onnx);
        String version = "v-containers-" + sha.substring(0, 8);
        String prefix = StorageLayout.head(TASK, version);
        ModelCard card = new ModelCard(TASK + "-" + version, "head", "model.onnx", sha, "onnx", "grid", "output",
                "arrangement head (test)", 0, List.of(TASK), "24 synthetic grids", 7L, Map.of(), "nic-faults", "Apache-2.0",
                "nic-faults", Instant.now(), Map.of("crop", head.crop(), "crops", 4, "encoderId", Pipeline.ENCODER,
                        "kind", TaskKind.REGRESSION.name(), "classes", List.of()));
        byte[] cardBytes = EventJson.toBytes(card);
        HeadSignature signature = TestKeys.key().sign(onnx, cardBytes, "container-cluster-test");
        store.put(prefix + "model.onnx", onnx, "application/octet-stream");
        store.put(prefix + "card.json", cardBytes, "application/json");
        store.put(prefix + HeadSignature.FILE_NAME, EventJson.toBytes(signature), "application/json");
        ModelPublished event = new ModelPublished(TASK, TaskKind.REGRESSION.name(), Pipeline.ENCODER, version,
                store.uri(prefix + "model.onnx").toString(), sha, store.uri(prefix + "card.json").toString(), "spearman", 0.9,
                10, "test");
        client.publish(EventType.MODEL_PUBLISHED, event.key(), event);
        return event;
    }

    static String logs(List<GenericContainer<?>> services) {
        StringBuilder out = new StringBuilder();
        for (GenericContainer<?> s : services) {
            String log = s.getLogs();
            out.append("\n===== ").append(s.getContainerInfo() == null ? "?" : s.getContainerInfo().getConfig().getHostName())
                    .append(" =====\n").append(log, Math.max(0, log.length() - 4000), log.length());
        }
        return out.toString();
    }
}
