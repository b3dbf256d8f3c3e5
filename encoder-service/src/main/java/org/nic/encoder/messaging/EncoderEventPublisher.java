package org.nic.encoder.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.nic.event.SlideEncoded;
import org.nic.event.SlideFailed;
import org.nic.event.SlideProgress;
import org.nic.service.messaging.CloudEventSender;

/** Publishes the encoder's events, keyed by slide id, once the broker has them. */
@ApplicationScoped
public class EncoderEventPublisher {

    private final MutinyEmitter<byte[]> encoded;
    private final MutinyEmitter<byte[]> progress;
    private final MutinyEmitter<byte[]> failed;

    public EncoderEventPublisher(@Channel("slide-encoded") MutinyEmitter<byte[]> encoded,
                                 @Channel("slide-progress") MutinyEmitter<byte[]> progress,
                                 @Channel("slide-failed") MutinyEmitter<byte[]> failed) {
        this.encoded = encoded;
        this.progress = progress;
        this.failed = failed;
    }

    public void encoded(SlideEncoded event) {
        CloudEventSender.send(encoded, event.slideId(),
                event.slideId() + ":encoded:" + event.encoderSha256() + ":" + event.planSha256(), event);
    }

    public void progress(SlideProgress event) {
        CloudEventSender.send(progress, event.slideId(), null, event);
    }

    public void failed(SlideFailed event) {
        CloudEventSender.send(failed, event.slideId(), null, event);
    }
}
