package org.nic.trust;

/** A head that a service will not run, and why: the active head keeps serving. */
public class HeadRefused extends Exception {

    /** Why, as a metric tag and for the dead-letter reason. */
    public enum Reason {
        /** No signature beside the card. */
        UNSIGNED,
        /** Signed by a key the service does not trust. */
        UNKNOWN_KEY,
        /** The signature does not verify (forged, or a file changed after signing). */
        BAD_SIGNATURE,
        /** The model's SHA-256 differs from its event's or card's. */
        HASH_MISMATCH,
        /** A file is larger than the service reads. */
        TOO_LARGE,
        /** The card is unreadable or asks for more than the service runs (crop, crops). */
        BAD_CARD,
        /** ONNX Runtime cannot load the model. */
        UNLOADABLE
    }

    private final Reason reason;

    public HeadRefused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The metric tag: {@code unsigned}, {@code unknown-key}, ... */
    public String tag() {
        return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
