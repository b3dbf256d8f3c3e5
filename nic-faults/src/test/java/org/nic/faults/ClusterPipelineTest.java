package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.slide.SyntheticSlides;
import org.nic.slide.TestSlides;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.testing.KafkaCluster;
import org.nic.testing.S3ProxyProcess;
import org.nic.testing.ServiceProcess;

/**
 * Many replicas on a broker cluster (issue 24, point 1): three KRaft brokers (NIC's topics at 12 partitions,
 * replication factor 3, {@code min.insync.replicas} 2), two replicas each of the tiler, encoder and predictor, and the
 * trainer, every one a process of its own. While slides are in work: the encoder replica writing a grid is killed
 * mid-slide and stays dead (its partitions move to the other, which resumes the grid from its chunks), a third
 * encoder replica starts (a rebalance with slides in flight), and the broker leading most slide-tiled partitions is
 * killed and comes back 10 s later. Every slide is predicted, each output once by CloudEvents id, and no grid has a
 * chunk stored by one run while another was writing ({@code nic.provenance}).
 * <p>Several minutes on 2 cores with eleven JVMs: tagged {@code cluster}, outside {@code mvn verify}; run it with
 * {@code mvn -pl nic-faults verify -Dgroups=cluster -DexcludedGroups=none} (docs/operations.md#faults).
 */
@Tag("cluster")
class ClusterPipelineTest {

    static final Duration TIMEOUT = Duration.ofMinutes(6);
    static final int SLIDES = 6;

    @Test
    void everySlideOnceWithAnEncoderReplicaKilledMidSlideAThirdStartedAndTheLeadingBrokerKilled() throws Exception {
        Path dir = Files.createTempDirectory("nic-cluster-pipeline");
        Path slideFile = SyntheticSlides.pyramid(dir.resolve("slides/he-8000.tif"), 8);
        List<ServiceProcess> services = new ArrayList<>();
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("kafka"), 3);
             S3ProxyProcess s3 = S3ProxyProcess.start(Files.createDirectories(dir.resolve("s3")), "nic-cluster", "nic-cluster-secret")) {
            cluster.createTopics(Pipeline.k8sBase().resolve("topics.yaml"));
            ObjectStore store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.accessKey(), s3.secretKey(),
                    "us-east-1", Pipeline.BUCKET));
            store.ensureBucket();
            ServiceProcess.Infrastructure infra = new ServiceProcess.Infrastructure(cluster.bootstrapServers(), s3.endpoint(),
                    s3.accessKey(), s3.secretKey(), Pipeline.BUCKET);
            String roots = String.join(",", List.of(slideFile.getParent().toString(), TestSlides.data().resolve("slides").toString()));
            Map<String, String> encoder = Map.of("nic.sources.allowed-roots", roots, "nic.encoder.device", "cpu",
                    "nic.encoder.default-id", Pipeline.ENCODER, "nic.encoder.chunk-cells", "8",
                    "nic.encoder.progress-interval-millis", "200");
            Map<String, Map<String, String>> replicas = new LinkedHashMap<>();
            replicas.put("tiler-service#1", Map.of("nic.sources.allowed-roots", roots));
            replicas.put("tiler-service#2", Map.of("nic.sources.allowed-roots", roots));
            replicas.put("encoder-service#1", encoder);
            replicas.put("encoder-service#2", encoder);
            replicas.put("predictor-service#1", Map.of());
            replicas.put("predictor-service#2", Map.of());
            replicas.put("trainer-service#1", Pipeline.trainerConfig(FaultTest.LABELS));
            services.addAll(startAll(infra, replicas));
            ServiceProcess encoderOne = services.get(2);
            ServiceProcess encoderTwo = services.get(3);

            try (EventTap tap = new EventTap(cluster.bootstrapServers(), new Properties());
                 EventClient events = new EventClient(cluster.bootstrapServers(), new Properties())) {
                Pipeline.publishLabels(store, events, FaultTest.LABELS, 5);
                tap.await(Topics.MODEL_PUBLISHED, e -> FaultTest.HEAD_KEY.equals(e.key()), TIMEOUT);

                String run = Long.toString(System.nanoTime(), 36);
                Set<String> slides = new LinkedHashSet<>();
                for (int i = 0; i < SLIDES; i++) {
                    String slide = "cluster-" + i + "-" + run;
                    slides.add(slide);
                    events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + slideFile.toAbsolutePath(),
                            "cluster-scanner", null, null));
                }
                // A slide a third of the way through its grid: the replica writing it (its run marker names the
                // writer's process) is killed and stays dead.
                EventTap.Event midway = tap.await(Topics.SLIDE_PROGRESS, e -> slides.contains(e.key())
                        && e.json().get("done").asInt() >= e.json().get("total").asInt() / 3
                        && e.json().get("done").asInt() < e.json().get("total").asInt() * 2 / 3, TIMEOUT);
                String marker = StorageLayout.grid(midway.key(), Pipeline.ENCODER) + ".nic-run.json";
                JsonNode runs = EventJson.mapper().readTree(store.get(store.uri(marker))).get("runs");
                String writer = runs.get(runs.size() - 1).get("writer").asText();
                ServiceProcess victim = writer.endsWith("/" + encoderOne.pid()) ? encoderOne : encoderTwo;
                assertThat(writer).as("the run marker names one of the two encoders").endsWith("/" + victim.pid());
                victim.kill();
                // A third encoder replica joins while slides are in flight.
                services.addAll(startAll(infra, Map.of("encoder-service#3", encoder)));
                // The broker leading most slide-tiled partitions dies, and comes back 10 s later.
                int leader = cluster.leaderOfMost(Topics.SLIDE_TILED);
                cluster.node(leader).kill();
                EventTap.pause(10_000);
                cluster.node(leader).start();

                SlideOutputs.assertPredictedOnce(tap, store, slides, TIMEOUT, () -> logs(services));
                JsonNode provenance = EventJson.mapper().readTree(store.get(store.uri(
                        StorageLayout.grid(midway.key(), Pipeline.ENCODER) + ".zattrs"))).at("/nic/provenance");
                List<String> writers = new ArrayList<>();
                provenance.get("runs").forEach(r -> writers.add(r.get("writer").asText()));
                assertThat(writers).as("the killed replica's run, then another replica's").hasSizeGreaterThanOrEqualTo(2)
                        .first().isEqualTo(writer);
                assertThat(writers.get(writers.size() - 1)).isNotEqualTo(writer);
                assertThat(tap.on(Topics.SLIDE_ENCODED, midway.key())).as("the grid resumed from the dead replica's chunks")
                        .anyMatch(e -> e.json().get("resumedCells").asInt() > 0);
            }
        } finally {
            services.forEach(ServiceProcess::close);
        }
    }

    /** Starts the replicas ({@code module#n}) in parallel and waits until each is ready. */
    static List<ServiceProcess> startAll(ServiceProcess.Infrastructure infra, Map<String, Map<String, String>> replicas) {
        List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        replicas.forEach((name, config) -> starting.add(CompletableFuture.supplyAsync(() -> {
            try {
                return ServiceProcess.start(name.substring(0, name.indexOf('#')), infra, config, Pipeline.START);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        })));
        List<ServiceProcess> out = new ArrayList<>();
        for (CompletableFuture<ServiceProcess> s : starting) {
            out.add(s.join());
        }
        return out;
    }

    static String logs(List<ServiceProcess> services) {
        StringBuilder out = new StringBuilder();
        for (ServiceProcess s : services) {
            try {
                String log = s.log();
                out.append("\n===== ").append(s.module()).append(" =====\n").append(log, Math.max(0, log.length() - 4000),
                        log.length());
            } catch (IOException e) {
                out.append("\n(no log of ").append(s.module()).append(")");
            }
        }
        return out.toString();
    }
}
