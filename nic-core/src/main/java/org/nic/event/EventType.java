package org.nic.event;

import java.util.Arrays;
import java.util.Optional;

/**
 * Each event: its topic, its CloudEvents {@code type}, its JSON Schema (docs/schemas) and its record.
 */
public enum EventType {
    SLIDE_ARRIVED(Topics.SLIDE_ARRIVED, "org.nic.slide.arrived.v1", "slide-arrived.v1.schema.json", SlideArrived.class),
    SLIDE_TILED(Topics.SLIDE_TILED, "org.nic.slide.tiled.v1", "slide-tiled.v1.schema.json", SlideTiled.class),
    SLIDE_FAILED(Topics.SLIDE_FAILED, "org.nic.slide.failed.v1", "slide-failed.v1.schema.json", SlideFailed.class),
    SLIDE_ENCODED(Topics.SLIDE_ENCODED, "org.nic.slide.encoded.v1", "slide-encoded.v1.schema.json", SlideEncoded.class),
    SLIDE_PROGRESS(Topics.SLIDE_PROGRESS, "org.nic.slide.progress.v1", "slide-progress.v1.schema.json", SlideProgress.class),
    ENCODE_REQUESTED(Topics.ENCODE_REQUESTED, "org.nic.slide.encode-requested.v1", "encode-requested.v1.schema.json",
            EncodeRequested.class),
    LABEL_RECORDED(Topics.LABEL_RECORDED, "org.nic.label.recorded.v1", "label-recorded.v1.schema.json", LabelRecorded.class),
    MODEL_PUBLISHED(Topics.MODEL_PUBLISHED, "org.nic.model.published.v1", "model-published.v1.schema.json",
            ModelPublished.class),
    SLIDE_PREDICTED(Topics.SLIDE_PREDICTED, "org.nic.slide.predicted.v1", "slide-predicted.v1.schema.json",
            SlidePredicted.class),
    MODEL_DECIDED(Topics.MODEL_DECIDED, "org.nic.model.decided.v1", "model-decided.v1.schema.json", ModelDecided.class);

    private final String topic;
    private final String cloudEventType;
    private final String schemaFile;
    private final Class<? extends Record> payload;

    EventType(String topic, String cloudEventType, String schemaFile, Class<? extends Record> payload) {
        this.topic = topic;
        this.cloudEventType = cloudEventType;
        this.schemaFile = schemaFile;
        this.payload = payload;
    }

    public String topic() {
        return topic;
    }

    public String cloudEventType() {
        return cloudEventType;
    }

    public String schemaFile() {
        return schemaFile;
    }

    public Class<? extends Record> payload() {
        return payload;
    }

    public static Optional<EventType> ofTopic(String topic) {
        return Arrays.stream(values()).filter(t -> t.topic.equals(topic)).findFirst();
    }

    public static Optional<EventType> ofCloudEventType(String type) {
        return Arrays.stream(values()).filter(t -> t.cloudEventType.equals(type)).findFirst();
    }
}
