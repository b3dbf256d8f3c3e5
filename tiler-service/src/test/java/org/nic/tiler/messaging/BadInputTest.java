package org.nic.tiler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nic.tiler.TilerTestSupport.checkedPayload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.SlideFailed;
import org.nic.event.Topics;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.tiler.TilerTestSupport;

/**
 * Each kind of bad input gets a slide-failed event with the right reason (or a dead letter when there
 * is no slide id), and the service keeps consuming: a good slide submitted after each still goes through.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
class BadInputTest {

    @Test
    void missingObject() throws Exception {
        expectFailure(s3("nothing-here.svs"), FailureReason.SLIDE_NOT_FOUND, "no object");
    }

    @Test
    void missingFile() throws Exception {
        expectFailure(file("no-such-slide.svs"), FailureReason.SLIDE_NOT_FOUND, "no slide file");
    }

    @Test
    void fileOpenSlideCannotOpen() throws Exception {
        expectFailure(file("invalid/unopenable.tiff"), FailureReason.UNOPENABLE_SLIDE, "<slide file>");
    }

    @Test
    void slideWhosePixelsCannotBeRead() throws Exception {
        expectFailure(file("invalid/unreadable.svs"), FailureReason.UNREADABLE_PIXELS, "<slide file>");
    }

    @Test
    void blankSlideHasNoTissue() throws Exception {
        Path blank = Files.createTempDirectory("nic-blank").resolve("blank.tiff");
        writeBlankTiledTiff(blank, 1024, 1024);
        String slideId = TilerTestSupport.newSlideId("blank");
        expectFailure(slideId, TilerTestSupport.upload(blank, slideId), FailureReason.NO_TISSUE, "no tissue");
    }

    @Test
    void aSlideWithAnAbsurdSideFailsBeforeAnythingIsSizedByIt() throws Exception {
        // 300,000,000 x 60 px: 18 G pixels, under max-pixels (20 G), but a buffer sized by its width would be gigabytes.
        Path strip = Files.createTempDirectory("nic-strip").resolve("strip.tiff");
        org.nic.tiler.SharedTileTiff.write(strip, 300_000_000L, 60);
        String slideId = TilerTestSupport.newSlideId("strip");
        expectFailure(slideId, TilerTestSupport.upload(strip, slideId), FailureReason.SLIDE_TOO_LARGE,
                "slide is 300000000 x 60 px, a side over the limit of 1000000 px");
    }

    @Test
    void oneIdOneSlide() throws Exception {
        String slideId = TilerTestSupport.newSlideId("conflict");
        try (EventClient events = TilerTestSupport.events();
             org.nic.storage.ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            assertThat(TilerTestSupport.submit(events, slideId, file("CMU-1-Small-Region.svs")).topic()).isEqualTo(Topics.SLIDE_TILED);
            // The same slide again (a redelivery, a re-run, or the same bytes from the store): planned again.
            assertThat(TilerTestSupport.submit(events, slideId, TilerTestSupport.upload(
                    TilerTestSupport.slideFile("CMU-1-Small-Region.svs"), slideId)).topic()).isEqualTo(Topics.SLIDE_TILED);
            byte[] plan = store.get(store.uri(org.nic.storage.StorageLayout.plan(slideId)));
            // Another slide under the same id: refused, and the first one's plan stays.
            expectFailure(slideId, file("boxes.tiff"), FailureReason.ID_CONFLICT, "already names another slide");
            assertThat(store.get(store.uri(org.nic.storage.StorageLayout.plan(slideId)))).isEqualTo(plan);
        }
    }

    @Test
    void uriOutsideTheAllowedRootsAndBuckets() throws Exception {
        expectFailure("file:/etc/passwd", FailureReason.URI_NOT_ALLOWED, "not under an allowed root");
        expectFailure(file("../../../../../etc/hostname"), FailureReason.URI_NOT_ALLOWED, "not under an allowed root");
        expectFailure("s3://someone-elses-bucket/x.svs", FailureReason.URI_NOT_ALLOWED, "not an allowed slide bucket");
    }

    @Test
    void invalidEventWithASlideIdIsAFailedSlide() throws Exception {
        String slideId = TilerTestSupport.newSlideId("nouri");
        try (EventClient events = TilerTestSupport.events()) {
            events.publishRaw(EventType.SLIDE_ARRIVED, slideId,
                    ("{\"slideId\":\"" + slideId + "\"}").getBytes(StandardCharsets.UTF_8));
            JsonNode failed = checkedPayload(events.awaitKey(slideId, TilerTestSupport.TIMEOUT, Topics.SLIDE_FAILED));
            assertThat(failed.get("reason").asText()).isEqualTo("INVALID_EVENT");
            assertThat(failed.get("message").asText()).contains("uri");
        }
        goodSlideStillGoesThrough();
    }

    @Test
    void anAbsurdSpacingOverrideIsRefusedAndTheNextSlideGoesThrough() throws Exception {
        String slideId = TilerTestSupport.newSlideId("mpp");
        try (EventClient events = TilerTestSupport.events()) {
            var from = events.endOffsets(Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
            events.publish(EventType.SLIDE_ARRIVED, slideId, new org.nic.event.SlideArrived(slideId,
                    file("CMU-1-Small-Region.svs"), "test-scanner", null, 1e6));
            ConsumerRecord<String, byte[]> record = events.await(from, r -> slideId.equals(r.key()), TilerTestSupport.TIMEOUT,
                    Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
            assertThat(record.topic()).as(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(Topics.SLIDE_FAILED);
            JsonNode failed = checkedPayload(record);
            assertThat(failed.get("reason").asText()).isEqualTo("INVALID_EVENT");
            assertThat(failed.get("message").asText()).contains("mppOverride");
            assertThat(failed.get("retriable").asBoolean()).isFalse();
        }
        goodSlideStillGoesThrough();
    }

    @Test
    void malformedJsonAndUnusableIdsGoToTheDeadLetterTopic() throws Exception {
        String key = TilerTestSupport.newSlideId("garbage");
        String badIdKey = TilerTestSupport.newSlideId("badid");
        try (EventClient events = TilerTestSupport.events()) {
            events.publishRaw(EventType.SLIDE_ARRIVED, key, "{this is not json".getBytes(StandardCharsets.UTF_8));
            events.publishRaw(EventType.SLIDE_ARRIVED, badIdKey,
                    "{\"slideId\":\"../../etc\",\"uri\":\"file:/x\"}".getBytes(StandardCharsets.UTF_8));
            ConsumerRecord<String, byte[]> dead = events.awaitKey(key, TilerTestSupport.TIMEOUT,
                    Topics.deadLetters(Topics.SLIDE_ARRIVED));
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{this is not json");
            assertThat(EventClient.header(dead, "dead-letter-reason")).contains("malformed JSON");
            ConsumerRecord<String, byte[]> deadId = events.awaitKey(badIdKey, TilerTestSupport.TIMEOUT,
                    Topics.deadLetters(Topics.SLIDE_ARRIVED));
            assertThat(EventClient.header(deadId, "dead-letter-reason")).contains("slideId");
        }
        goodSlideStillGoesThrough();
    }

    private static String s3(String key) {
        return "s3://" + NicTestInfrastructure.SLIDE_BUCKET + "/" + key;
    }

    private static String file(String name) {
        return "file:" + TilerTestSupport.slideFile(name).toAbsolutePath();
    }

    private static void expectFailure(String uri, FailureReason reason, String messagePart) throws Exception {
        expectFailure(TilerTestSupport.newSlideId("bad"), uri, reason, messagePart);
    }

    private static void expectFailure(String slideId, String uri, FailureReason reason, String messagePart)
            throws Exception {
        try (EventClient events = TilerTestSupport.events()) {
            ConsumerRecord<String, byte[]> record = TilerTestSupport.submit(events, slideId, uri);
            assertThat(record.topic()).as(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(Topics.SLIDE_FAILED);
            checkedPayload(record);
            SlideFailed failed = EventJson.mapper().readValue(record.value(), SlideFailed.class);
            assertThat(failed.slideId()).isEqualTo(slideId);
            assertThat(failed.stage()).isEqualTo("tiling");
            assertThat(failed.reason()).isEqualTo(reason);
            assertThat(failed.retriable()).isEqualTo(reason.retriable());
            assertThat(failed.message()).contains(messagePart);
            // The message is for people: no path, file name or configured root in it; the URI has its own field.
            String name = uri.substring(uri.lastIndexOf('/') + 1);
            assertThat(failed.message()).doesNotContain(name, TilerTestSupport.slideFile(".").toAbsolutePath().normalize()
                    .toString(), "/etc/");
            assertThat(failed.uri()).isEqualTo(uri);
        }
        goodSlideStillGoesThrough();
    }

    static void goodSlideStillGoesThrough() throws IOException {
        String slideId = TilerTestSupport.newSlideId("good");
        try (EventClient events = TilerTestSupport.events()) {
            ConsumerRecord<String, byte[]> record = TilerTestSupport.submit(events, slideId,
                    file("CMU-1-Small-Region.svs"));
            assertThat(record.topic()).isEqualTo(Topics.SLIDE_TILED);
            assertThat(checkedPayload(record).get("tissueCells").asInt()).isPositive();
        }
    }

    /**
     * A blank (glass-only) slide as a tiled pyramidal TIFF, which OpenSlide reads as generic-tiff. Written
     * by libvips (libvips-tools): Java's own TIFF writer produces files OpenSlide 3.4.1 does not detect.
     */
    static void writeBlankTiledTiff(Path file, int width, int height) throws IOException, InterruptedException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        Arrays.fill(row, 0xF3F3F1);
        for (int y = 0; y < height; y++) {
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        Path png = file.resolveSibling("blank.png");
        ImageIO.write(image, "png", png.toFile());
        Process vips = new ProcessBuilder("vips", "tiffsave", png.toString(), file.toString(), "--tile", "--pyramid",
                "--compression", "deflate", "--tile-width", "256", "--tile-height", "256")
                .redirectErrorStream(true).start();
        String output = new String(vips.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(vips.waitFor()).as("vips tiffsave: %s", output).isZero();
    }
}
