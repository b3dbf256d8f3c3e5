package org.nic.tiler.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nic.tiler.TilerTestSupport.checkedPayload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.Topics;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.tiler.TilerTestSupport;

/**
 * DICOM whole-slide images arrive as a series (a folder, or an S3 prefix holding its instances) or as one instance,
 * and get the same grid as the SVS of the same slide; DICOM the tiler cannot use fails with its own reason, and the
 * next slide still goes through.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
class DicomTilingTest {

    static Path dicom(String name) {
        return NicTestInfrastructure.sharedData().resolve("dicom").resolve(name);
    }

    @Test
    void aSeriesFolderAnS3PrefixAndOneInstanceAreTiledLikeTheSvs() throws Exception {
        Path folder = dicom("cmu-1-small-region");
        String prefix = TilerTestSupport.newSlideId("dicom-series");
        try (ObjectStore slides = TilerTestSupport.slideStore(); Stream<Path> files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                slides.putFile(new S3Uri(NicTestInfrastructure.SLIDE_BUCKET, prefix + "/series/" + f.getFileName()), f,
                        "application/dicom");
            }
        }
        try (EventClient events = TilerTestSupport.events()) {
            String svsId = TilerTestSupport.newSlideId("svs");
            JsonNode svs = checkedPayload(TilerTestSupport.submit(events, svsId, "file:"
                    + TilerTestSupport.slideFile("CMU-1-Small-Region.svs").toAbsolutePath()));
            for (String uri : List.of("file:" + folder.toAbsolutePath(),
                    "s3://" + NicTestInfrastructure.SLIDE_BUCKET + "/" + prefix + "/series/",
                    "file:" + folder.resolve("level-0-frames-0-30.dcm").toAbsolutePath())) {
                String slideId = TilerTestSupport.newSlideId("dicom");
                ConsumerRecord<String, byte[]> record = TilerTestSupport.submit(events, slideId, uri);
                assertThat(record.topic()).as(uri + ": " + new String(record.value(), StandardCharsets.UTF_8))
                        .isEqualTo(Topics.SLIDE_TILED);
                JsonNode tiled = checkedPayload(record);
                assertThat(tiled.get("spacingSource").asText()).isEqualTo("dicom-pixel-spacing");
                assertThat(tiled.get("rows").asInt()).isEqualTo(svs.get("rows").asInt());
                assertThat(tiled.get("cols").asInt()).isEqualTo(svs.get("cols").asInt());
                // Within 5% (the series' mask comes from the converter's own 16x level; see DicomAgainstSvsTest).
                assertThat(tiled.get("tissueCells").asInt()).isCloseTo(svs.get("tissueCells").asInt(),
                        org.assertj.core.data.Percentage.withPercentage(5));
                try (ObjectStore nic = TilerTestSupport.nicStore()) {
                    JsonNode plan = org.nic.event.EventJson.mapper().readTree(nic.get(S3Uri.parse(tiled.get("planUri").asText())));
                    assertThat(plan.at("/slide/vendor").asText()).isEqualTo("dicom");
                    assertThat(plan.at("/slide/reader").asText()).startsWith("pixelmed-");
                }
            }
        }
    }

    @Test
    void dicomTheTilerCannotUseFailsWithItsOwnReason() throws Exception {
        expect("file:" + dicom("highdicom/sm_image_jpegls.dcm").toAbsolutePath(), "UNSUPPORTED_TRANSFER_SYNTAX");
        expect("file:" + dicom("highdicom/sm_image_grayscale.dcm").toAbsolutePath(), "UNSUPPORTED_PIXEL_FORMAT");
        // Not a slide at all, uploaded as one: no reader recognises it.
        String id = TilerTestSupport.newSlideId("notes");
        Path notes = Files.createTempFile("notes", ".txt");
        Files.writeString(notes, "not a slide");
        expect(TilerTestSupport.upload(notes, id), "UNSUPPORTED_FORMAT");
        try (EventClient events = TilerTestSupport.events()) {
            String ok = TilerTestSupport.newSlideId("after-dicom");
            assertThat(TilerTestSupport.submit(events, ok, "file:" + dicom("cmu-1-small-region").toAbsolutePath()).topic())
                    .isEqualTo(Topics.SLIDE_TILED);
        }
    }

    static void expect(String uri, String reason) throws Exception {
        try (EventClient events = TilerTestSupport.events()) {
            String slideId = TilerTestSupport.newSlideId("bad-dicom");
            ConsumerRecord<String, byte[]> record = TilerTestSupport.submit(events, slideId, uri);
            assertThat(record.topic()).as(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(Topics.SLIDE_FAILED);
            JsonNode failed = checkedPayload(record);
            assertThat(failed.get("reason").asText()).isEqualTo(reason);
            assertThat(failed.get("retriable").asBoolean()).isFalse();
            assertThat(failed.get("message").asText()).doesNotContain("sm_image");
        }
    }
}
