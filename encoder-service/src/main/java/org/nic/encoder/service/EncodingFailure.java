package org.nic.encoder.service;

import org.nic.event.FailureReason;

/** Encoding gave up on a slide for a stated reason. */
public class EncodingFailure extends Exception {

    private final FailureReason reason;

    public EncodingFailure(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
