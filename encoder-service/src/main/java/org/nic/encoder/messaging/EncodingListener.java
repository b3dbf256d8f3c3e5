package org.nic.encoder.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.event.StageFailure;
import org.nic.encoder.service.EncodingService;
import org.nic.event.EncodeRequested;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.InvalidEventException;
import org.nic.event.SlideEncoded;
import org.nic.event.SlideFailed;
import org.nic.event.SlideProgress;
import org.nic.event.SlideTiled;
import org.nic.service.messaging.RecordPosition;
import org.nic.storage.StorageLayout;

/**
 * slide-tiled (and encode-requested) in; slide-encoded, slide-progress or slide-failed out. A record is
 * acknowledged only after its grid and outgoing event are stored; one without a usable slide id is
 * dead-lettered.
 */
@ApplicationScoped
public class EncodingListener {

    private static final Logger LOG = Logger.getLogger(EncodingListener.class);
    static final String STAGE = "encoding";

    private final EncodingService encoding;
    private final EncoderEventPublisher publisher;
    private final MeterRegistry metrics;
    private final Timer duration;

    public EncodingListener(EncodingService encoding, EncoderEventPublisher publisher, MeterRegistry metrics) {
        this.encoding = encoding;
        this.publisher = publisher;
        this.metrics = metrics;
        this.duration = Timer.builder("nic.encoder.encoding").description("Time to encode one slide").register(metrics);
    }

    @Incoming("slide-tiled")
    @Blocking
    public CompletionStage<Void> onSlideTiled(Message<byte[]> message) throws InterruptedException {
        SlideTiled tiled;
        try {
            tiled = EventJson.readEvent(EventType.SLIDE_TILED, message.getPayload(), SlideTiled.class);
        } catch (InvalidEventException e) {
            return invalid(message, e);
        }
        process(new EncodingService.Request(tiled.slideId(), tiled.caseId(), null, false), tiled.slideUri());
        return message.ack();
    }

    @Incoming("encode-requested")
    @Blocking
    public CompletionStage<Void> onEncodeRequested(Message<byte[]> message) throws InterruptedException {
        EncodeRequested request;
        try {
            request = EventJson.readEvent(EventType.ENCODE_REQUESTED, message.getPayload(), EncodeRequested.class);
        } catch (InvalidEventException e) {
            return invalid(message, e);
        }
        process(new EncodingService.Request(request.slideId(), null, request.encoderId(), request.force()), null);
        return message.ack();
    }

    private void process(EncodingService.Request request, String uri) throws InterruptedException {
        Timer.Sample sample = Timer.start(metrics);
        try {
            SlideEncoded encoded = encoding.encode(request,
                    (slide, done, total) -> publisher.progress(new SlideProgress(slide, STAGE, done, total)));
            publisher.encoded(encoded);
            metrics.counter("nic.encoder.slides", "outcome", encoded.reused() ? "reused" : "encoded", "reason", "none").increment();
            metrics.counter("nic.encoder.patches").increment(encoded.reused() ? 0 : encoded.tissueCells() - encoded.resumedCells());
        } catch (StageFailure f) {
            fail(request.slideId(), uri, f.reason(), f.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "slide %s: unexpected error while encoding", request.slideId());
            fail(request.slideId(), uri, FailureReason.INTERNAL_ERROR, String.valueOf(e));
        } finally {
            sample.stop(duration);
        }
    }

    private CompletionStage<Void> invalid(Message<byte[]> message, InvalidEventException e) {
        if (StorageLayout.isValidSlideId(e.slideId())) {
            fail(e.slideId(), null, FailureReason.INVALID_EVENT, e.getMessage());
            return message.ack();
        }
        LOG.errorf("dead-lettering a record without a usable slide id (%s): %s", RecordPosition.of(message), e.getMessage());
        metrics.counter("nic.encoder.slides", "outcome", "dead-lettered", "reason", "INVALID_EVENT").increment();
        return message.nack(e);
    }

    private void fail(String slideId, String uri, FailureReason reason, String why) {
        LOG.warnf("slide %s failed at %s: %s: %s", slideId, STAGE, reason, why);
        publisher.failed(new SlideFailed(slideId, STAGE, reason, why, reason.retriable(), encoding.serviceName(), uri));
        metrics.counter("nic.encoder.slides", "outcome", "failed", "reason", reason.name()).increment();
    }
}
