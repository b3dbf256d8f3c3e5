package org.nic.service.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.TracingMetadata;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.InvalidEventException;
import org.nic.event.SlideFailed;
import org.nic.trust.Redaction;
import org.nic.event.StageFailure;
import org.nic.event.Topics;
import org.nic.storage.StorageLayout;

/**
 * How every slide stage handles one record, written once. The record is parsed and checked against its
 * schema; then
 * <ul>
 *   <li>unparseable, but naming a usable slide id: a final {@code slide-failed} ({@code INVALID_EVENT}), acknowledged;</li>
 *   <li>naming no usable slide id: dead-lettered to {@code <topic>.dlq};</li>
 *   <li>the stage's work done (its outputs stored and its event published by the work): acknowledged;</li>
 *   <li>a retriable failure (the object store was down longer than the stage's own retries, an unexpected
 *       error) with attempts left: a {@code slide-failed} with {@code retrying: true}, and the record is
 *       nacked, which the channel's {@code delayed-retry-topic} failure strategy turns into a copy on a retry
 *       topic that the same channel reads again after the topic's delay;</li>
 *   <li>a permanent failure, or the last attempt: a final {@code slide-failed}, acknowledged;</li>
 *   <li>a record whose work killed the JVM {@code max-crashes} times (counted durably by the {@link AttemptLedger}):
 *       a final {@code slide-failed} ({@code CRASHED_REPEATEDLY}), acknowledged, so the records behind it flow.</li>
 * </ul>
 * Every outcome is counted in {@code nic.slides{stage, outcome, reason}}; slides in work are the gauge
 * {@code nic.slides.in.flight{stage, channel}} and the time per record the timer {@code nic.stage{stage}}; the
 * {@link SlideWatch} is told when each slide's work starts and ends, so that liveness judges a slide by its own progress.
 */
public final class SlideStage {

    /** The stage's work on a parsed event: stores its outputs, publishes its event and names the outcome. */
    @FunctionalInterface
    public interface Work<E> {
        /** @return the outcome for the metrics: {@code tiled}, {@code encoded}, {@code reused}, {@code predicted}... */
        String run(E event) throws StageFailure, InterruptedException;
    }

    /** Header the delayed-retry-topic strategy puts on a record it re-delivers: how often it was retried. */
    static final String RETRY_COUNT_HEADER = "delayed-retry-count";

    private final String stage;
    private final String service;
    private final EventType type;
    private final int maxAttempts;
    private final MeterRegistry metrics;
    private final Consumer<SlideFailed> failures;
    private final Logger log;
    private final Timer timer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AttemptLedger ledger;
    private final SlideWatch watch;
    /** Test-only fault switch ({@code nic.stage.test-halt-on-slide-prefix}): the JVM halts in the work on such a slide. */
    private final String haltPrefix;

    /**
     * @param channel the incoming channel: its {@code failure-strategy} and {@code delayed-retry-topic.max-retries}
     *                settings decide how many attempts a slide gets (1 without delayed retries)
     * @param failures sends a {@code slide-failed} event
     */
    public SlideStage(String stage, String service, EventType type, String channel, Config config, MeterRegistry metrics,
                      Consumer<SlideFailed> failures, Logger log) {
        this(stage, service, type, channel, config, metrics, failures, log, AttemptLedger.none(), new SlideWatch());
    }

    /**
     * @param ledger counts starts that never ended (the JVM died in the work): after {@link AttemptLedger#maxCrashes()}
     *               of them the slide fails for good ({@code CRASHED_REPEATEDLY}) instead of being redelivered for ever
     * @param watch  told when each slide's work starts and ends, for liveness ({@link SlideWatch})
     */
    public SlideStage(String stage, String service, EventType type, String channel, Config config, MeterRegistry metrics,
                      Consumer<SlideFailed> failures, Logger log, AttemptLedger ledger, SlideWatch watch) {
        this.ledger = ledger;
        this.watch = watch;
        this.haltPrefix = config.getOptionalValue("nic.stage.test-halt-on-slide-prefix", String.class).orElse(null);
        this.stage = stage;
        this.service = service;
        this.type = type;
        this.maxAttempts = maxAttempts(config, channel);
        this.metrics = metrics;
        this.failures = failures;
        this.log = log;
        this.timer = Timer.builder("nic.stage").description("Time a stage spends on one slide").tag("stage", stage)
                .register(metrics);
        metrics.gauge("nic.slides.in.flight", io.micrometer.core.instrument.Tags.of("stage", stage, "channel", channel), inFlight);
    }

    /** Attempts a slide gets at this stage: the first, plus the channel's delayed retries. */
    static int maxAttempts(Config config, String channel) {
        String prefix = "mp.messaging.incoming." + channel + ".";
        boolean delayed = config.getOptionalValue(prefix + "failure-strategy", String.class)
                .filter("delayed-retry-topic"::equals).isPresent();
        if (!delayed) {
            return 1;
        }
        int topics = config.getOptionalValue(prefix + "delayed-retry-topic.topics", String.class)
                .map(t -> t.split(",").length).orElse(3);
        return 1 + config.getOptionalValue(prefix + "delayed-retry-topic.max-retries", Integer.class).orElse(topics);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** Parses the record as {@code payload} and runs {@code work} on it; see the class comment for what follows. */
    public <E extends Record> CompletionStage<Void> handle(Message<byte[]> message, Class<E> payload, Function<E, String> slideIdOf,
                                            Function<E, String> uriOf, Work<E> work) throws InterruptedException {
        E event;
        try {
            event = EventJson.readEvent(type, message.getPayload(), payload);
        } catch (InvalidEventException e) {
            if (StorageLayout.isValidSlideId(e.slideId())) {
                fail(e.slideId(), null, FailureReason.INVALID_EVENT, Redaction.of(e.getMessage(), null, null), attempt(message),
                        false);
                return message.ack();
            }
            return deadLetter(message, e);
        }
        String slideId = slideIdOf.apply(event);
        String uri = uriOf.apply(event);
        String caseId = caseIdOf(event);
        int attempt = attempt(message);
        int crashes = ledger.begin(slideId);
        if (crashes >= ledger.maxCrashes()) {
            fail(slideId, uri, FailureReason.CRASHED_REPEATEDLY, String.format("the %s stage's process died %d times in this"
                    + " slide's work (out of memory, a native crash, or a hang that liveness restarted): not tried again",
                    stage, crashes), attempt, false);
            ledger.end(slideId);
            return message.ack();
        }
        if (haltPrefix != null && slideId.startsWith(haltPrefix)) {
            log.errorf("slide %s: the test-only fault switch halts this JVM in the slide's work (start %d)", slideId, crashes + 1);
            Runtime.getRuntime().halt(86);
        }
        inFlight.incrementAndGet();
        watch.started(stage, slideId);
        Timer.Sample sample = Timer.start(metrics);
        // The record's trace (its consumer span, child of the traceparent it came with) is current while the
        // stage works, so that every event the stage sends continues it: one trace per slide, stage after stage.
        Context trace = TracingMetadata.fromMessage(message).map(TracingMetadata::getCurrentContext).orElse(Context.current());
        try (Scope scope = trace.makeCurrent()) {
            try {
                String outcome = work.run(event);
                count(outcome, "none");
                return message.ack();
            } catch (StageFailure f) {
                return failed(message, slideId, uri, f.reason(), Redaction.of(f.getMessage(), uri, caseId), attempt,
                        Redaction.of(f, uri, caseId));
            } catch (RuntimeException e) {
                Throwable redacted = Redaction.of(e, uri, caseId);
                log.errorf(redacted, "slide %s: unexpected error at %s", slideId, stage);
                return failed(message, slideId, uri, FailureReason.INTERNAL_ERROR, redacted.getMessage(), attempt, redacted);
            }
        } finally {
            watch.ended(stage, slideId);
            ledger.end(slideId);
            sample.stop(timer);
            inFlight.decrementAndGet();
        }
    }

    private CompletionStage<Void> failed(Message<byte[]> message, String slideId, String uri, FailureReason reason,
                                         String why, int attempt, Throwable cause) {
        boolean retry = reason.retriable() && attempt < maxAttempts;
        fail(slideId, uri, reason, why, attempt, retry);
        // nack: the delayed-retry-topic strategy puts a copy on the next retry topic and acknowledges this record.
        return retry ? message.nack(cause) : message.ack();
    }

    /** Sends the record to {@code <topic>.dlq} (whatever the channel's failure strategy), with the reason in headers. */
    public CompletionStage<Void> deadLetter(Message<byte[]> message, Exception why) {
        String reason = Redaction.of(String.valueOf(why.getMessage()), null, null);
        log.errorf("dead-lettering a %s record without a usable slide id (%s): %s", type.topic(), RecordPosition.of(message),
                reason);
        count("dead-lettered", FailureReason.INVALID_EVENT.name());
        return message.nack(why, Metadata.of(OutgoingKafkaRecordMetadata.builder()
                .withTopic(Topics.deadLetters(type.topic()))
                .withHeaders(java.util.List.of(new org.apache.kafka.common.header.internals.RecordHeader(
                        "dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8))))
                .build()));
    }

    /** The event's case id, for events that carry one (slide-arrived): it is kept out of what people read. */
    static String caseIdOf(Record event) {
        for (java.lang.reflect.RecordComponent c : event.getClass().getRecordComponents()) {
            if (c.getName().equals("caseId") && c.getType() == String.class) {
                try {
                    return (String) c.getAccessor().invoke(event);
                } catch (ReflectiveOperationException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Logs and publishes a failure; {@code why} is already redacted ({@link Redaction}): the URI rides in its own field. */
    private void fail(String slideId, String uri, FailureReason reason, String why, int attempt, boolean retrying) {
        if (retrying) {
            log.warnf("slide %s failed at %s (attempt %d of %d, will be retried): %s: %s", slideId, stage, attempt,
                    maxAttempts, reason, why);
        } else {
            log.warnf("slide %s failed at %s: %s: %s%s", slideId, stage, reason, why,
                    reason.retriable() && maxAttempts > 1 ? " (attempt " + attempt + " of " + maxAttempts + ", the last)" : "");
        }
        failures.accept(new SlideFailed(slideId, stage, reason, why, reason.retriable(), service, uri, attempt, retrying));
        count(retrying ? "retrying" : "failed", reason.name());
    }

    private void count(String outcome, String reason) {
        metrics.counter("nic.slides", "stage", stage, "outcome", outcome, "reason", reason).increment();
    }

    /** 1 for a record's first delivery, n + 1 for its n-th delayed retry. */
    static int attempt(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> {
            Header h = m.getHeaders().lastHeader(RETRY_COUNT_HEADER);
            if (h == null) {
                return 1;
            }
            try {
                return 1 + Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8).trim());
            } catch (NumberFormatException e) {
                return 1;
            }
        }).orElse(1);
    }
}
