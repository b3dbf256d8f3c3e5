package org.nic.event;

/** An event payload that is not valid JSON for its schema. */
public class InvalidEventException extends RuntimeException {

    private final EventType type;
    private final String slideId;

    public InvalidEventException(EventType type, String slideId, String message, Throwable cause) {
        super(type.topic() + " event" + (slideId != null ? " for slide " + slideId : "") + ": " + message, cause);
        this.type = type;
        this.slideId = slideId;
    }

    public EventType type() {
        return type;
    }

    /** The slide id when the payload carried a readable one, else null. */
    public String slideId() {
        return slideId;
    }
}
