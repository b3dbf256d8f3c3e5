package org.nic.service.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SlideWatchTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-12-07T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @Test
    void aSlideIsStalledOnlyWhenItsOwnWorkIsQuietLongerThanTheTimeout() {
        ManualClock clock = new ManualClock();
        SlideWatch watch = new SlideWatch(clock);
        Duration timeout = Duration.ofMinutes(10);
        watch.started("encoding", "a");
        clock.advance(Duration.ofMinutes(9));
        watch.progressed("encoding", "a");
        clock.advance(Duration.ofMinutes(9));
        // 18 minutes in work, 9 of them quiet: it moves.
        assertThat(watch.stalled(timeout)).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        assertThat(watch.stalled(timeout)).extracting(SlideWatch.InWork::slideId).containsExactly("a");
        assertThat(watch.stalled(timeout).get(0).quietFor(clock.instant())).isEqualTo(Duration.ofMinutes(11));
        watch.ended("encoding", "a");
        assertThat(watch.stalled(timeout)).isEmpty();
        assertThat(watch.inWork()).isEmpty();
    }

    @Test
    void timeWaitingBeforeTheWorkStartsDoesNotCount() {
        ManualClock clock = new ManualClock();
        SlideWatch watch = new SlideWatch(clock);
        // A record that waited an hour in the queue (polled long ago) starts now: its quiet time starts now.
        clock.advance(Duration.ofHours(1));
        watch.started("tiling", "queued");
        clock.advance(Duration.ofSeconds(30));
        assertThat(watch.stalled(Duration.ofMinutes(1))).isEmpty();
        assertThat(watch.inWork()).hasSize(1);
    }

    @Test
    void progressAndEndOfOneStageDoNotTouchAnotherStagesWorkOnTheSameSlide() {
        ManualClock clock = new ManualClock();
        SlideWatch watch = new SlideWatch(clock);
        watch.started("encoding", "s");
        watch.started("predicting", "s");
        clock.advance(Duration.ofMinutes(5));
        watch.progressed("encoding", "s");
        watch.progressed("tiling", "never-started");
        assertThat(watch.stalled(Duration.ofMinutes(1))).extracting(SlideWatch.InWork::stage).containsExactly("predicting");
        watch.ended("predicting", "s");
        assertThat(watch.inWork()).extracting(SlideWatch.InWork::stage).containsExactly("encoding");
    }
}
