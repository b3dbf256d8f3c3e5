package org.nic.service.messaging;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Where an incoming record sits, for log lines about records that name no usable slide. */
public final class RecordPosition {

    private RecordPosition() {
    }

    public static String of(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> "topic " + m.getTopic() + ", key " + m.getKey() + ", partition " + m.getPartition()
                        + ", offset " + m.getOffset())
                .orElse("unknown position");
    }
}
