package org.nic.tiler.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.nic.event.SlideFailed;
import org.nic.event.SlideTiled;
import org.nic.service.messaging.CloudEventSender;

/** Publishes the tiler's events, keyed by slide id, once the broker has them. */
@ApplicationScoped
public class SlideEventPublisher {

    private final MutinyEmitter<byte[]> tiled;
    private final MutinyEmitter<byte[]> failed;

    public SlideEventPublisher(@Channel("slide-tiled") MutinyEmitter<byte[]> tiled,
                               @Channel("slide-failed") MutinyEmitter<byte[]> failed) {
        this.tiled = tiled;
        this.failed = failed;
    }

    public void tiled(SlideTiled event) {
        // A deterministic id lets consumers drop a redelivered duplicate of the same plan.
        CloudEventSender.send(tiled, event.slideId(), event.slideId() + ":tiled:" + event.planSha256(), event);
    }

    public void failed(SlideFailed event) {
        CloudEventSender.send(failed, event.slideId(), event.eventId(), event);
    }
}
