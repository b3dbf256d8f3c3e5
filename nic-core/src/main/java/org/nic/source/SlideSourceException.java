package org.nic.source;

import org.nic.event.FailureReason;

/** A slide URI that cannot be turned into a readable local file, with the reason a pipeline reports. */
public class SlideSourceException extends Exception {

    private final FailureReason reason;

    public SlideSourceException(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SlideSourceException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
