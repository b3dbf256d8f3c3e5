package org.nic.tiler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nic.tiler.TilerTestSupport.checkedPayload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.Topics;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.tiler.TilerTestSupport;

/** A real slide through the real broker and store, checked against computations made here. */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
class SlideTilingTest {

    @Test
    void aTiledSlideShowsInTheMetricsAndOpenSlideInReadiness() throws Exception {
        String slideId = TilerTestSupport.newSlideId("metrics");
        String uri = TilerTestSupport.upload(TilerTestSupport.slideFile("CMU-1-Small-Region.svs"), slideId);
        double before = tiledCount(io.restassured.RestAssured.get("/q/metrics").asString());
        try (EventClient events = TilerTestSupport.events()) {
            assertThat(TilerTestSupport.submit(events, slideId, uri).topic()).isEqualTo(Topics.SLIDE_TILED);
        }
        // The counter moves right after slide-tiled is acknowledged by the broker, which the test may see first.
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        for (int i = 0; i < 50 && (tiledCount(metrics) < before + 1 || !metrics.matches("(?s).*nic_slides_in_flight\\{[^}]*stage=\"tiling\"[^}]*} 0\\.0.*")); i++) {
            Thread.sleep(100);
            metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        }
        assertThat(tiledCount(metrics)).as("nic_slides_total{outcome=tiled}").isEqualTo(before + 1);
        assertThat(metrics).containsPattern("nic_stage_seconds_count\\{[^}]*stage=\"tiling\"[^}]*} [1-9]")
                .containsPattern("nic_slides_in_flight\\{[^}]*stage=\"tiling\"[^}]*} 0\\.0");
        String ready = io.restassured.RestAssured.get("/q/health/ready").asString();
        assertThat(ready).contains("\"openslide\"", "\"object-store\"");
        assertThat(io.restassured.RestAssured.get("/q/health/live").asString()).doesNotContain("\"openslide\"");
    }

    /** The value of nic_slides_total for stage tiling, outcome tiled (0 before the first). */
    static double tiledCount(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("nic_slides_total{") && l.contains("stage=\"tiling\"")
                && l.contains("outcome=\"tiled\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void cmu1UploadedToS3IsTiledAndItsPlanMatchesAnIndependentComputation() throws Exception {
        Path slide = TilerTestSupport.slideFile("CMU-1-Small-Region.svs");
        String slideId = TilerTestSupport.newSlideId("cmu1");
        String uri = TilerTestSupport.upload(slide, slideId);
        ConsumerRecord<String, byte[]> record;
        try (EventClient events = TilerTestSupport.events()) {
            record = TilerTestSupport.submit(events, slideId, uri);
        }
        assertThat(record.topic()).as(new String(record.value())).isEqualTo(Topics.SLIDE_TILED);
        JsonNode tiled = checkedPayload(record);
        assertThat(EventClient.header(record, "ce_subject")).isEqualTo(slideId);

        // The grid from first principles: whole 64 um cells (128 px at 0.5 um/px) over 2220 x 2967 px at 0.499 um/px.
        double cellUm = 128 * 0.5;
        int cols = (int) Math.floor(2220 * 0.499 / cellUm);
        int rows = (int) Math.floor(2967 * 0.499 / cellUm);
        assertThat(tiled.get("cols").asInt()).isEqualTo(cols);
        assertThat(tiled.get("rows").asInt()).isEqualTo(rows);
        assertThat(tiled.get("level").asInt()).isZero();
        assertThat(tiled.get("spacingAssumed").asBoolean()).isFalse();
        assertThat(tiled.get("spacingSource").asText()).isEqualTo("openslide");
        assertThat(tiled.get("caseId").asText()).isEqualTo("case-1");

        try (ObjectStore store = TilerTestSupport.nicStore()) {
            byte[] planBytes = store.get(S3Uri.parse(tiled.get("planUri").asText()));
            JsonNode plan = EventJson.mapper().readTree(planBytes);
            assertThat(org.nic.hash.Sha256.hex(planBytes))
                    .isEqualTo(tiled.get("planSha256").asText());
            assertThat(plan.get("slideId").asText()).isEqualTo(slideId);
            assertThat(plan.at("/identity/etag").asText()).isNotBlank();
            assertThat(plan.at("/identity/size").asLong()).isEqualTo(java.nio.file.Files.size(slide));
            assertThat(plan.at("/grid/readSize").asInt()).isEqualTo(128);
            assertThat(plan.at("/grid/resample").asBoolean()).isFalse();
            assertThat(plan.toString()).doesNotContain("label", "macro", "ScanScope", "Filename");

            BufferedImage mask = ImageIO.read(new ByteArrayInputStream(store.get(S3Uri.parse(tiled.get("maskUri").asText()))));
            BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(
                    store.get(S3Uri.parse(tiled.get("thumbnailUri").asText()))));
            assertThat(mask.getWidth()).isEqualTo(plan.at("/tissue/maskWidth").asInt()).isEqualTo(thumbnail.getWidth());
            assertThat(mask.getHeight()).isEqualTo(plan.at("/tissue/maskHeight").asInt()).isEqualTo(thumbnail.getHeight());

            // Tissue cells recounted from the stored mask: a cell is tissue when >= 10% of the mask pixel
            // centres inside it are white.
            double cell = 128 * 0.5 / 0.499;
            double ds = plan.at("/tissue/maskDownsample").asDouble();
            Set<List<Integer>> recount = new HashSet<>();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int inside = 0;
                    int white = 0;
                    for (int y = 0; y < mask.getHeight(); y++) {
                        double cy = (y + 0.5) * ds;
                        if (cy < r * cell || cy >= (r + 1) * cell) {
                            continue;
                        }
                        for (int x = 0; x < mask.getWidth(); x++) {
                            double cx = (x + 0.5) * ds;
                            if (cx >= c * cell && cx < (c + 1) * cell) {
                                inside++;
                                white += (mask.getRGB(x, y) & 0xFF) > 127 ? 1 : 0;
                            }
                        }
                    }
                    if (white > 0 && white >= 0.1 * inside) {
                        recount.add(List.of(r, c));
                    }
                }
            }
            Set<List<Integer>> planned = new HashSet<>();
            plan.get("tissueCells").forEach(n -> planned.add(List.of(n.get(0).asInt(), n.get(1).asInt())));
            assertThat(planned).isEqualTo(recount);
            assertThat(tiled.get("tissueCells").asInt()).isEqualTo(planned.size());

            // And against the slide's own pixels: patches that are mostly stained are planned, blank glass is not.
            int agree = 0;
            int judged = 0;
            try (SlideReader reader = SlideReaders.installed().open(slide)) {
                int[] px = new int[128 * 128];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        reader.readRegion((long) (c * cell), (long) (r * cell), 0, 128, 128, px);
                        double stained = stainedFraction(px);
                        if (stained > 0.5 || stained < 0.02) {
                            judged++;
                            if ((stained > 0.5) == planned.contains(List.of(r, c))) {
                                agree++;
                            }
                        }
                    }
                }
            }
            assertThat(judged).isGreaterThan(rows * cols / 2);
            assertThat((double) agree / judged).as("agreement with raw pixels on %d clear cells", judged).isGreaterThan(0.95);

            // Nothing but the plan and its two images is stored for the slide: no label, no macro.
            assertThat(store.list(store.bucket(), "tiling/" + slideId + "/").stream().map(ObjectStore.ObjectInfo::key))
                    .containsExactlyInAnyOrder("tiling/" + slideId + "/plan.json", "tiling/" + slideId + "/mask.png",
                            "tiling/" + slideId + "/thumbnail.png");
        }
    }

    @Test
    void aRedeliveredSlideGivesTheSamePlanHashAndEventId() throws Exception {
        Path slide = TilerTestSupport.slideFile("CMU-1-Small-Region.svs");
        String slideId = TilerTestSupport.newSlideId("again");
        String uri = "file:" + slide.toAbsolutePath();
        try (EventClient events = TilerTestSupport.events(); ObjectStore store = TilerTestSupport.nicStore()) {
            ConsumerRecord<String, byte[]> first = TilerTestSupport.submit(events, slideId, uri);
            byte[] firstPlan = store.get(S3Uri.parse(checkedPayload(first).get("planUri").asText()));
            ConsumerRecord<String, byte[]> second = TilerTestSupport.submit(events, slideId, uri);
            JsonNode a = checkedPayload(first);
            JsonNode b = checkedPayload(second);
            assertThat(second.offset()).isNotEqualTo(first.offset());
            assertThat(b.get("planSha256")).isEqualTo(a.get("planSha256"));
            assertThat(EventClient.header(second, "ce_id")).isEqualTo(EventClient.header(first, "ce_id"))
                    .contains(a.get("planSha256").asText());
            assertThat(store.get(S3Uri.parse(b.get("planUri").asText()))).as("plan bytes").isEqualTo(firstPlan);
            assertThat(a.get("slideUri").asText()).isEqualTo(uri);
        }
    }

    @Test
    void aLibvipsTiffAtHalfAMicronIsPlannedFromItsResolutionTags() throws Exception {
        // 2000 x 2000 px of real H&E, resolution tags 2000 px/mm (0.5 um/px), as libvips, QuPath and bfconvert write them.
        Path tiff = java.nio.file.Files.createTempDirectory("nic-vips").resolve("he-0.5um.tif");
        Process vips = new ProcessBuilder("vips", "replicate", NicTestInfrastructure.sharedData()
                .resolve("images/tiatoolbox__tests_data__TCGA-HE-7130-01Z-00-DX1.png").toString(),
                tiff + "[tile,pyramid,compression=jpeg,Q=85,tile-width=256,tile-height=256,xres=2000,yres=2000]", "2", "2")
                .redirectErrorStream(true).start();
        String output = new String(vips.getInputStream().readAllBytes());
        assertThat(vips.waitFor()).as("vips: %s", output).isZero();
        String slideId = TilerTestSupport.newSlideId("vips");
        try (EventClient events = TilerTestSupport.events()) {
            ConsumerRecord<String, byte[]> record = TilerTestSupport.submit(events, slideId, TilerTestSupport.upload(tiff, slideId));
            assertThat(record.topic()).as(new String(record.value())).isEqualTo(Topics.SLIDE_TILED);
            JsonNode tiled = checkedPayload(record);
            assertThat(tiled.get("spacingSource").asText()).isEqualTo("tiff-resolution");
            assertThat(tiled.get("spacing").asDouble()).isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(tiled.get("spacingAssumed").asBoolean()).isFalse();
            assertThat(tiled.get("cols").asInt()).isEqualTo(2000 / 128);
            assertThat(tiled.get("level").asInt()).isZero();
        }
    }

    private static JsonNode parse(byte[] json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Share of pixels with HSV saturation above 0.1 and not near-black: a crude stain detector. */
    private static double stainedFraction(int[] px) {
        int n = 0;
        for (int p : px) {
            int r = (p >> 16) & 0xFF;
            int g = (p >> 8) & 0xFF;
            int b = p & 0xFF;
            int max = Math.max(r, Math.max(g, b));
            int min = Math.min(r, Math.min(g, b));
            if (max > 40 && (max - min) > 0.1 * max) {
                n++;
            }
        }
        return (double) n / px.length;
    }
}
