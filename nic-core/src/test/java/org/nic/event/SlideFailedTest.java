package org.nic.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A failure published again keeps its CloudEvents id; another failure gets another. */
class SlideFailedTest {

    static SlideFailed failure(String message, String service, int attempt, boolean retrying) {
        return new SlideFailed("s-1", "tiling", FailureReason.UNOPENABLE_SLIDE, message, false, service, "file:/a.svs", attempt,
                retrying);
    }

    @Test
    void aStagesLastWordIsOneIdWhicheverReplicaOrDeliverySaysIt() {
        // The original record (attempt 1) and its delayed-retry copy (attempt 2) may both end in the same final failure.
        assertThat(failure("no vendor", "tiler-service 0.1.0", 1, false).eventId())
                .isEqualTo(failure("no vendor (again)", "tiler-service 0.1.0", 2, false).eventId())
                .isEqualTo("s-1:failed:tiling:UNOPENABLE_SLIDE");
    }

    @Test
    void anotherAttemptStageReasonOrSlideIsAnotherFailure() {
        SlideFailed first = failure("x", "t", 1, true);
        assertThat(first.eventId()).isEqualTo("s-1:failed:tiling:UNOPENABLE_SLIDE:1:retrying")
                .isEqualTo(failure("x (again)", "t", 1, true).eventId())
                .isNotEqualTo(failure("x", "t", 2, true).eventId())
                .isNotEqualTo(failure("x", "t", 1, false).eventId());
        assertThat(new SlideFailed("s-1", "encoding", FailureReason.UNOPENABLE_SLIDE, "x", false, "e", null).eventId())
                .isEqualTo("s-1:failed:encoding:UNOPENABLE_SLIDE")
                .isNotEqualTo(new SlideFailed("s-2", "encoding", FailureReason.UNOPENABLE_SLIDE, "x", false, "e", null).eventId())
                .isNotEqualTo(new SlideFailed("s-1", "encoding", FailureReason.SLIDE_NOT_FOUND, "x", false, "e", null).eventId());
    }
}
