package org.nic.encoder.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.OnOverflow;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.nic.event.SlideEncoded;
import org.nic.event.SlideFailed;
import org.nic.event.SlideProgress;
import org.nic.service.messaging.CloudEventSender;

/**
 * Publishes the encoder's events, keyed by slide id. slide-encoded and slide-failed are sent before the
 * incoming record is acknowledged, and waited for; progress is handed off and never waited for: a slow
 * broker must not stall encoding, and a lost progress event costs nothing (the next one says more).
 */
@ApplicationScoped
public class EncoderEventPublisher {

    private final MutinyEmitter<byte[]> encoded;
    private final MutinyEmitter<byte[]> progress;
    private final MutinyEmitter<byte[]> failed;
    private final Counter progressDropped;

    public EncoderEventPublisher(@Channel("slide-encoded") MutinyEmitter<byte[]> encoded,
                                 // What the Kafka sink has no room for (max-inflight-messages) is dropped, not queued.
                                 @Channel("slide-progress") @OnOverflow(value = OnOverflow.Strategy.DROP) MutinyEmitter<byte[]> progress,
                                 @Channel("slide-failed") MutinyEmitter<byte[]> failed,
                                 MeterRegistry metrics) {
        this.encoded = encoded;
        this.progress = progress;
        this.failed = failed;
        this.progressDropped = Counter.builder("nic.encoder.progress.dropped")
                .description("Progress events dropped because the broker did not keep up").register(metrics);
    }

    public void encoded(SlideEncoded event) {
        CloudEventSender.send(encoded, event.slideId(),
                event.slideId() + ":encoded:" + event.encoderSha256() + ":" + event.planSha256(), event);
    }

    public void progress(SlideProgress event) {
        CloudEventSender.sendAndForget(progress, event.slideId(), event, progressDropped::increment);
    }

    public void failed(SlideFailed event) {
        CloudEventSender.send(failed, event.slideId(), event.eventId(), event);
    }
}
