package org.nic.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A failure published again for the same record keeps its CloudEvents id; another failure gets another. */
class SlideFailedTest {

    static SlideFailed failure(String message, String service, int attempt, boolean retrying) {
        return new SlideFailed("s-1", "tiling", FailureReason.UNOPENABLE_SLIDE, message, false, service, "file:/a.svs", attempt,
                retrying);
    }

    @Test
    void theSameFailureOfTheSameRecordHasOneIdWhicheverReplicaSendsIt() {
        assertThat(failure("no vendor", "tiler-service 0.1.0", 1, false).eventId())
                .isEqualTo(failure("no vendor (again)", "tiler-service 0.1.0", 1, false).eventId())
                .isEqualTo("s-1:failed:tiling:UNOPENABLE_SLIDE:1");
    }

    @Test
    void anotherAttemptStageReasonOrSlideIsAnotherFailure() {
        SlideFailed first = failure("x", "t", 1, true);
        assertThat(first.eventId()).isNotEqualTo(failure("x", "t", 2, true).eventId())
                .isNotEqualTo(failure("x", "t", 1, false).eventId());
        assertThat(new SlideFailed("s-1", "encoding", FailureReason.UNOPENABLE_SLIDE, "x", false, "e", null).eventId())
                .isEqualTo("s-1:failed:encoding:UNOPENABLE_SLIDE:final")
                .isNotEqualTo(new SlideFailed("s-2", "encoding", FailureReason.UNOPENABLE_SLIDE, "x", false, "e", null).eventId())
                .isNotEqualTo(new SlideFailed("s-1", "encoding", FailureReason.SLIDE_NOT_FOUND, "x", false, "e", null).eventId());
    }
}
