package org.nic.tiler.service;

import org.nic.event.FailureReason;

/** Tiling gave up on a slide for a stated reason. */
public class TilingFailure extends Exception {

    private final FailureReason reason;

    public TilingFailure(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TilingFailure(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
