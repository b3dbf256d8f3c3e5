package org.nic.service.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The slides a service has in work, each with the time it last made progress: what liveness judges
 * ({@link org.nic.service.health.SlideProgressLiveness}). A slide is stuck when its own work has shown no progress
 * for {@code nic.stage.stall-timeout}; how long records waited in the queue before their work began does not count,
 * so a backlog of long slides is not taken for a hung service (SmallRye's own check, the throttled commit strategy's
 * {@code unprocessed-record-max-age}, counts from the poll and is switched off on the slide channels).
 * {@link SlideStage} reports the start and end of every slide's work; a stage whose work reports progress (the
 * encoder, cell by cell) calls {@link #progressed}.
 */
@ApplicationScoped
public class SlideWatch {

    /** A slide in work: where, since when, and when its work last moved. */
    public record InWork(String slideId, String stage, Instant started, Instant lastProgress) {
        public Duration quietFor(Instant now) {
            return Duration.between(lastProgress, now);
        }
    }

    private final Map<String, InWork> inWork = new ConcurrentHashMap<>();
    private final Clock clock;

    @Inject
    public SlideWatch() {
        this(Clock.systemUTC());
    }

    public SlideWatch(Clock clock) {
        this.clock = clock;
    }

    /** The stage's work on the slide begins: it counts as progress. */
    public void started(String stage, String slideId) {
        Instant now = clock.instant();
        inWork.put(key(stage, slideId), new InWork(slideId, stage, now, now));
    }

    /** The slide's work moved on (cells encoded, a level read): its quiet time starts again. */
    public void progressed(String stage, String slideId) {
        inWork.computeIfPresent(key(stage, slideId), (k, w) -> new InWork(w.slideId(), w.stage(), w.started(), clock.instant()));
    }

    /** The stage's work on the slide ended, whichever way. */
    public void ended(String stage, String slideId) {
        inWork.remove(key(stage, slideId));
    }

    /** Slides in work, the quietest first. */
    public List<InWork> inWork() {
        return inWork.values().stream().sorted(Comparator.comparing(InWork::lastProgress)).toList();
    }

    /** Slides whose work has shown no progress for longer than {@code timeout}, the quietest first. */
    public List<InWork> stalled(Duration timeout) {
        Instant now = clock.instant();
        return inWork().stream().filter(w -> w.quietFor(now).compareTo(timeout) > 0).toList();
    }

    public Instant now() {
        return clock.instant();
    }

    private static String key(String stage, String slideId) {
        return stage + "/" + slideId;
    }
}
