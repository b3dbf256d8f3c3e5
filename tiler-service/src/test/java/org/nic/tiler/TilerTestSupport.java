package org.nic.tiler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.testing.NicTestInfrastructure;

/** What the tiler's tests share: real clients of the test broker and store. */
public final class TilerTestSupport {

    public static final Duration TIMEOUT = Duration.ofSeconds(90);

    private TilerTestSupport() {
    }

    public static EventClient events() {
        return new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
    }

    public static ObjectStore nicStore() {
        return NicTestInfrastructure.store(NicTestInfrastructure.BUCKET);
    }

    public static ObjectStore slideStore() {
        return NicTestInfrastructure.store(NicTestInfrastructure.SLIDE_BUCKET);
    }

    public static Path slideFile(String name) {
        return NicTestInfrastructure.sharedData().resolve("slides").resolve(name);
    }

    public static String newSlideId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Uploads a slide into the scanners' test bucket and returns its URI. */
    public static String upload(Path file, String slideId) {
        try (ObjectStore slides = slideStore()) {
            S3Uri uri = new S3Uri(NicTestInfrastructure.SLIDE_BUCKET, slideId + "/" + file.getFileName());
            slides.putFile(uri, file, "application/octet-stream");
            return uri.toString();
        }
    }

    /** Publishes slide-arrived and returns the tiler's answer (slide-tiled or slide-failed) for the slide. */
    public static ConsumerRecord<String, byte[]> submit(EventClient events, String slideId, String uri) {
        var from = events.endOffsets(Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
        events.publish(EventType.SLIDE_ARRIVED, slideId, new SlideArrived(slideId, uri, "test-scanner", "case-1", null));
        return events.await(from, r -> slideId.equals(r.key()), TIMEOUT, Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
    }

    /** Parses a record's JSON and checks it against its event's schema and CloudEvents headers. */
    public static JsonNode checkedPayload(ConsumerRecord<String, byte[]> record) throws IOException {
        EventType type = EventType.ofTopic(record.topic()).orElseThrow();
        JsonNode json = EventJson.mapper().readTree(record.value());
        assertThat(EventJson.validate(type, json)).as("schema of %s", record.topic()).isEmpty();
        assertThat(EventClient.header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(type.cloudEventType());
        assertThat(EventClient.header(record, "ce_source")).isEqualTo("urn:nic:tiler");
        // The shared messaging defaults (nic-service's microprofile-config.properties): binary mode, JSON data.
        assertThat(EventClient.header(record, "content-type")).isEqualTo("application/json");
        assertThat(EventClient.header(record, "ce_id")).isNotBlank();
        assertThat(record.key()).isEqualTo(json.get("slideId").asText());
        return json;
    }
}
