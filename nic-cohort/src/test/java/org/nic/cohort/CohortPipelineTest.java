package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nic.event.EventJson;
import org.nic.event.SlidePredicted;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.ServiceProcess;

/**
 * A small cohort through the live system on the real broker and store: the tiler, encoder, trainer and
 * predictor run from their jars; arrivals, labels and predictions go through Kafka, plans, grids and heads
 * through S3. It tests the plumbing, not the heads: its 24 training slides leave 8 held out (the trainer's
 * split by case, 40% here), too few for the publish gate's interval, so the gate is switched off (level
 * 0); the gate has its own tests, and the default cohort (docs/results.md) runs with it.
 */
class CohortPipelineTest {

    static final String ENCODER = "mtl-nic-v2";

    @TempDir
    Path dir;

    @Test
    void aSmallCohortGoesThroughTheLiveSystemAndIsPredicted() throws Exception {
        List<CohortGenerator.Slide> slides = CohortGenerator.generate(new CohortGenerator.Settings(11, 24, 6, 2048, 0, 2048,
                NicTestInfrastructure.sharedData().resolve("patches/kather-texture-2016"), dir), System.err);
        String roots = dir.resolve("slides").toAbsolutePath().toString();
        try (ServiceProcess tiler = ServiceProcess.start("tiler-service", Map.of("nic.sources.allowed-roots", roots),
                Duration.ofSeconds(120));
             ServiceProcess encoder = ServiceProcess.start("encoder-service", Map.of("nic.sources.allowed-roots", roots,
                     "nic.encoder.device", "cpu", "nic.encoder.default-id", ENCODER, "nic.encoder.chunk-cells", "8"),
                     Duration.ofSeconds(120));
             ServiceProcess trainer = ServiceProcess.start("trainer-service", trainerConfig(), Duration.ofSeconds(120));
             ServiceProcess predictor = ServiceProcess.start("predictor-service", Map.of(), Duration.ofSeconds(120))) {
            CohortRunner.Result result;
            try {
                result = CohortRunner.run(slides, new CohortRunner.Settings(NicTestInfrastructure.kafkaBootstrapServers(),
                        ENCODER, Duration.ofMinutes(3)), System.err);
            } catch (RuntimeException e) {
                throw new AssertionError("cohort run failed; trainer log:\n" + trainer.log() + "\nencoder log:\n" + encoder.log(), e);
            }
            assertThat(result.failed()).isEmpty();
            assertThat(result.heads().keySet()).as("trainer log:%n%s", trainer.log())
                    .containsExactlyInAnyOrder("tumour-fraction", "growth-pattern", "overall-survival");
            List<CohortGenerator.Slide> test = slides.stream().filter(x -> x.split().equals("test")).toList();
            assertThat(result.predictions().keySet()).containsExactlyInAnyOrderElementsOf(
                    test.stream().map(CohortGenerator.Slide::slideId).toList());
            for (SlidePredicted p : result.predictions().values()) {
                assertThat(p.predictions()).hasSize(3);
                for (SlidePredicted.Prediction q : p.predictions()) {
                    assertThat(q.headVersion()).isEqualTo(result.heads().get(q.task()).headVersion());
                }
            }
            for (CohortTask t : CohortTask.values()) {
                assertThat(java.util.Arrays.stream(CohortRunner.scores(t, test, result.predictions(),
                        CohortGenerator.Patterns.of(slides))).flatMapToDouble(java.util.Arrays::stream).allMatch(Double::isFinite))
                        .as("%s scores of every test slide are numbers", t.task()).isTrue();
            }
            // The slides state 0.5 um/px only in their TIFF resolution tags, and the tiler read them.
            try (ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
                JsonNode plan = EventJson.mapper().readTree(store.get(store.uri(StorageLayout.plan(slides.get(0).slideId()))));
                assertThat(plan.at("/grid/spacingSource").asText()).isEqualTo("tiff-resolution");
                assertThat(plan.at("/grid/rows").asInt()).isEqualTo(16);
                assertThat(plan.at("/grid/resample").asBoolean()).isFalse();
            }
            assertThat(Files.exists(dir.resolve("labels.csv"))).isTrue();
        }
    }

    static Map<String, String> trainerConfig() {
        return Map.ofEntries(
                Map.entry("nic.trainer.encoder-id", ENCODER),
                Map.entry("nic.tasks.tumour-fraction.kind", "REGRESSION"),
                Map.entry("nic.tasks.growth-pattern.kind", "CLASSIFICATION"),
                Map.entry("nic.tasks.growth-pattern.classes", "compact,scattered"),
                Map.entry("nic.tasks.overall-survival.kind", "SURVIVAL"),
                Map.entry("nic.trainer.retrain-after-labels", "24"),
                Map.entry("nic.trainer.held-out-share", "0.4"),
                Map.entry("nic.trainer.min-held-out", "3"),
                Map.entry("nic.trainer.gate-level", "0"),
                Map.entry("nic.trainer.epochs", "8"),
                Map.entry("nic.trainer.min-steps", "0"),
                Map.entry("nic.trainer.crops", "2"));
    }
}
