package org.nic.event;

/**
 * A pipeline stage gave up on a slide for a stated reason; becomes a slide-failed event with that reason.
 */
public class StageFailure extends Exception {

    private final FailureReason reason;

    public StageFailure(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public StageFailure(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
