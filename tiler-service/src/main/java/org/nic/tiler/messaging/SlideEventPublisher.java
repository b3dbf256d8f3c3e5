package org.nic.tiler.messaging;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.nic.event.EventJson;
import org.nic.event.SlideFailed;
import org.nic.event.SlideTiled;

/**
 * Publishes the tiler's events, keyed by slide id, as CloudEvents (binary mode; type and source are
 * channel settings) and waits for the broker's acknowledgement, so the incoming offset is only committed
 * after the outgoing event is stored.
 */
@ApplicationScoped
public class SlideEventPublisher {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final MutinyEmitter<byte[]> tiled;
    private final MutinyEmitter<byte[]> failed;

    public SlideEventPublisher(@Channel("slide-tiled") MutinyEmitter<byte[]> tiled,
                               @Channel("slide-failed") MutinyEmitter<byte[]> failed) {
        this.tiled = tiled;
        this.failed = failed;
    }

    public void tiled(SlideTiled event) {
        // A deterministic id lets consumers drop a redelivered duplicate of the same plan.
        send(tiled, event.slideId(), event.slideId() + ":tiled:" + event.planSha256(), EventJson.toBytes(event));
    }

    public void failed(SlideFailed event) {
        send(failed, event.slideId(), null, EventJson.toBytes(event));
    }

    private static void send(MutinyEmitter<byte[]> emitter, String key, String id, byte[] payload) {
        io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadataBuilder<Object> ce = OutgoingCloudEventMetadata.builder()
                .withSubject(key);
        if (id != null) {
            ce.withId(id);
        }
        Message<byte[]> message = Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
                .addMetadata(ce.build());
        emitter.sendMessage(message).await().atMost(SEND_TIMEOUT);
    }
}
