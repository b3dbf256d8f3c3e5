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
        assertThat(EventJson.validate(EventType.MODEL_DECIDED, new ModelDecided("score", "REGRESSION", "enc", "REFUSED", null,
                "spearman", 0.41, 0.1, 0.7, 0.02, -0.05, 20, 8, "gain not above zero", "trainer-service 0.1"))).isEmpty();
    }

    @Test
    void aModelDecisionNamesWhoDecidedAndWhatItDecided() {
        assertThat(EventJson.validate(EventType.MODEL_DECIDED, new ModelDecided("score", "REGRESSION", "enc", "ROLLED", "v1",
                "spearman", null, null, null, null, null, null, 0, "pinned", ""))).hasSize(2);
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
