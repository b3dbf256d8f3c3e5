package org.nic.dashboard.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.dashboard.board.ModelBoard;
import org.nic.dashboard.board.SlideBoard;
import org.nic.event.EventJson;

/**
 * Folds every record of the slide, dead-letter and model topics (one pattern subscription, so dead-letter
 * topics created later are picked up) into the boards, and pushes what changed to the open pages. Reads
 * only: it never produces, and commits nothing.
 */
@ApplicationScoped
public class DashboardListener {

    private static final Logger LOG = Logger.getLogger(DashboardListener.class);

    private final SlideBoard slides;
    private final ModelBoard models;
    private final Positions positions;
    private final Updates updates;
    private final MeterRegistry metrics;
    private final Counter unreadable;

    public DashboardListener(SlideBoard slides, ModelBoard models, Positions positions, Updates updates,
                             MeterRegistry metrics) {
        this.slides = slides;
        this.models = models;
        this.positions = positions;
        this.updates = updates;
        this.metrics = metrics;
        this.unreadable = Counter.builder("nic.dashboard.records").tag("outcome", "unreadable")
                .description("records whose value is not a JSON object").register(metrics);
    }

    @Incoming("events")
    public CompletionStage<Void> onRecord(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        if (meta == null || !positions.claim(meta.getTopic(), meta.getPartition(), meta.getOffset())) {
            return message.ack();
        }
        String topic = meta.getTopic();
        String key = meta.getKey() == null ? null : String.valueOf(meta.getKey());
        long time = meta.getTimestamp() == null ? System.currentTimeMillis() : meta.getTimestamp().toEpochMilli();
        JsonNode payload = parse(message.getPayload());
        metrics.counter("nic.dashboard.records", "topic", topic, "outcome", "folded").increment();
        if (ModelBoard.isModelTopic(topic)) {
            if (models.apply(topic, time, payload)) {
                updates.publish("models", models.heads());
            }
        } else {
            if (payload == null && !topic.endsWith(".dlq")) {
                unreadable.increment();
                LOG.warnf("skipping a record on %s (key %s, offset %d-%d) whose value is not JSON", topic, key,
                        meta.getPartition(), meta.getOffset());
            }
            Header reason = meta.getHeaders().lastHeader("dead-letter-reason");
            slides.apply(topic, key, time, payload, reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8))
                    .ifPresent(s -> updates.publish("slide", s));
            if (topic.endsWith(".dlq")) {
                updates.publish("deadLetters", slides.deadLetters());
            }
        }
        return message.ack();
    }

    private static JsonNode parse(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode node = EventJson.mapper().readTree(value);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
