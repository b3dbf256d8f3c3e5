package org.nic.service.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadataBuilder;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.nic.event.EventJson;

/**
 * Sends an event as a CloudEvent in binary mode (type and source are channel settings), keyed and with
 * the slide as subject, and waits for the broker's acknowledgement: callers acknowledge their incoming
 * record only after this returns, so offsets are committed only after outputs are stored.
 */
public final class CloudEventSender {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private CloudEventSender() {
    }

    /**
     * @param id CloudEvents id; a deterministic one lets consumers drop redelivered duplicates; null = random
     */
    public static void send(MutinyEmitter<byte[]> emitter, String key, String id, Object event) {
        emitter.sendMessage(message(key, id, event)).await().atMost(SEND_TIMEOUT);
    }

    /**
     * Hands an event to the emitter and returns at once, for events that may be lost (progress): the caller
     * never waits for the broker. When the broker does not keep up (the emitter's {@code @OnOverflow} drops
     * what the Kafka sink has no room for) or rejects the record, {@code lost} runs.
     */
    public static void sendAndForget(MutinyEmitter<byte[]> emitter, String key, Object event, Runnable lost) {
        try {
            emitter.sendMessage(message(key, null, event)).subscribe().with(ok -> { }, failure -> lost.run());
        } catch (RuntimeException e) {
            lost.run();
        }
    }

    private static Message<byte[]> message(String key, String id, Object event) {
        OutgoingCloudEventMetadataBuilder<Object> ce = OutgoingCloudEventMetadata.builder().withSubject(key);
        if (id != null) {
            ce.withId(id);
        }
        // The caller's trace (SlideStage makes the incoming record's current) becomes the record's parent span.
        return Message.of(EventJson.toBytes(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build())
                .addMetadata(ce.build())
                .addMetadata(TracingMetadata.with(Context.current(), Context.current()));
    }
}
