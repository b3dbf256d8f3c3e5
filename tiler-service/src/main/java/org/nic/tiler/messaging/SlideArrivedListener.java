package org.nic.tiler.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.InvalidEventException;
import org.nic.event.SlideArrived;
import org.nic.event.SlideFailed;
import org.nic.event.SlideTiled;
import org.nic.service.messaging.RecordPosition;
import org.nic.storage.StorageLayout;
import org.nic.event.StageFailure;
import org.nic.tiler.service.TilingService;

/**
 * slide-arrived in, slide-tiled or slide-failed out. A record is acknowledged (and so its offset
 * committed) only after the outgoing event is stored, and that event only after the plan is. A record
 * with no usable slide id goes to the dead-letter topic; every other failure is a slide-failed event.
 */
@ApplicationScoped
public class SlideArrivedListener {

    private static final Logger LOG = Logger.getLogger(SlideArrivedListener.class);
    static final String STAGE = "tiling";

    private final TilingService tiling;
    private final SlideEventPublisher publisher;
    private final MeterRegistry metrics;
    private final Timer duration;

    public SlideArrivedListener(TilingService tiling, SlideEventPublisher publisher, MeterRegistry metrics) {
        this.tiling = tiling;
        this.publisher = publisher;
        this.metrics = metrics;
        this.duration = Timer.builder("nic.tiler.tiling").description("Time to tile one slide").register(metrics);
    }

    @Incoming("slide-arrived")
    @Blocking
    public CompletionStage<Void> onSlideArrived(Message<byte[]> message) {
        SlideArrived event;
        try {
            event = EventJson.readEvent(EventType.SLIDE_ARRIVED, message.getPayload(), SlideArrived.class);
        } catch (InvalidEventException e) {
            if (StorageLayout.isValidSlideId(e.slideId())) {
                fail(e.slideId(), null, FailureReason.INVALID_EVENT, e.getMessage());
                return message.ack();
            }
            LOG.errorf("dead-lettering a slide-arrived record without a usable slide id (%s): %s", RecordPosition.of(message),
                    e.getMessage());
            count("dead-lettered", "INVALID_EVENT");
            return message.nack(e);
        }
        Timer.Sample sample = Timer.start(metrics);
        try {
            SlideTiled tiled = tiling.tile(event);
            publisher.tiled(tiled);
            count("tiled", "none");
        } catch (StageFailure f) {
            fail(event.slideId(), event.uri(), f.reason(), f.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "slide %s: unexpected error while tiling", event.slideId());
            fail(event.slideId(), event.uri(), FailureReason.INTERNAL_ERROR, String.valueOf(e));
        } finally {
            sample.stop(duration);
        }
        return message.ack();
    }

    private void fail(String slideId, String uri, FailureReason reason, String why) {
        LOG.warnf("slide %s failed at %s: %s: %s", slideId, STAGE, reason, why);
        publisher.failed(new SlideFailed(slideId, STAGE, reason, why, reason.retriable(), tiling.tilerName(), uri));
        count("failed", reason.name());
    }

    private void count(String outcome, String reason) {
        metrics.counter("nic.tiler.slides", "outcome", outcome, "reason", reason).increment();
    }
}
