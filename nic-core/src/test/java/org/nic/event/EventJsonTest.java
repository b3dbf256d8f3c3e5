package org.nic.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void validEventsPassTheirSchemas() {
        assertThat(EventJson.validate(EventType.SLIDE_ARRIVED,
                new SlideArrived("1.2.840.1", "s3://slides/a.svs", "scanner-1", "case-9", 0.25))).isEmpty();
        assertThat(EventJson.validate(EventType.SLIDE_FAILED, new SlideFailed("a", "tiling",
                FailureReason.NO_TISSUE, "no tissue", false, "tiler 0.1", null))).isEmpty();
    }

    @Test
    void schemaViolationsAreNamed() {
        assertThat(EventJson.validate(EventType.SLIDE_ARRIVED, new SlideArrived("../etc", "http://x", null, null, -1.0)))
                .hasSize(3);
    }

    @Test
    void readEventRejectsMalformedJsonAndKeepsTheSlideIdWhenItCan() {
        assertThatThrownBy(() -> EventJson.readEvent(EventType.SLIDE_ARRIVED,
                "{not json".getBytes(StandardCharsets.UTF_8), SlideArrived.class))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> EventJson.readEvent(EventType.SLIDE_ARRIVED,
                "{\"slideId\":\"s1\"}".getBytes(StandardCharsets.UTF_8), SlideArrived.class))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.slideId()).isEqualTo("s1"))
                .hasMessageContaining("uri");
        SlideArrived ok = EventJson.readEvent(EventType.SLIDE_ARRIVED,
                "{\"slideId\":\"s1\",\"uri\":\"file:/x.svs\",\"extra\":1}".getBytes(StandardCharsets.UTF_8),
                SlideArrived.class);
        assertThat(ok.uri()).isEqualTo("file:/x.svs");
    }
}
