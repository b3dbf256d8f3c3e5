package org.nic.event;

/** Versioned Kafka topic names. Dead letters go to {@code <topic>.dlq}. */
public final class Topics {
    public static final String SLIDE_ARRIVED = "nic.slide.arrived.v1";
    public static final String SLIDE_TILED = "nic.slide.tiled.v1";
    public static final String SLIDE_FAILED = "nic.slide.failed.v1";
    public static final String SLIDE_ENCODED = "nic.slide.encoded.v1";
    public static final String SLIDE_PROGRESS = "nic.slide.progress.v1";
    public static final String ENCODE_REQUESTED = "nic.slide.encode-requested.v1";
    public static final String LABEL_RECORDED = "nic.label.recorded.v1";
    public static final String MODEL_PUBLISHED = "nic.model.published.v1";
    public static final String SLIDE_PREDICTED = "nic.slide.predicted.v1";
    public static final String MODEL_DECIDED = "nic.model.decided.v1";
    public static final String DLQ_SUFFIX = ".dlq";

    private Topics() {
    }

    public static String deadLetters(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
