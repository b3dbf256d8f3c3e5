package org.nic.event;

/** Why a stage gave up on a slide. */
public enum FailureReason {
    /** The event itself is unusable (bad id, missing fields, bad URI syntax). */
    INVALID_EVENT(false),
    /** The URI points outside the allowed roots or buckets. */
    URI_NOT_ALLOWED(false),
    /** No slide at the URI. */
    SLIDE_NOT_FOUND(false),
    /** No installed reader can open this format. */
    UNSUPPORTED_FORMAT(false),
    /** A reader recognised the format but could not open the file. */
    UNOPENABLE_SLIDE(false),
    /** (DICOM) The file is DICOM but not a whole-slide image (another SOP class). */
    NOT_A_SLIDE(false),
    /** (DICOM) The series has no VOLUME image, only label, overview or thumbnail images. */
    NO_VOLUME_IMAGE(false),
    /** (DICOM) Frames in a transfer syntax without a decoder here (e.g. JPEG-LS). */
    UNSUPPORTED_TRANSFER_SYNTAX(false),
    /** (DICOM) Pixels that are not 8-bit colour (e.g. 16-bit greyscale). */
    UNSUPPORTED_PIXEL_FORMAT(false),
    /** (DICOM) Instances that disagree: several series, or levels of different extents. */
    INCONSISTENT_SERIES(false),
    /** The slide opened, but its pixels could not be read. */
    UNREADABLE_PIXELS(false),
    /** The slide is larger than the configured pixel limit. */
    SLIDE_TOO_LARGE(false),
    /** No tissue was found. */
    NO_TISSUE(false),
    /** The plan a stage needs is missing. */
    PLAN_NOT_FOUND(false),
    /** (tiling) The slide id already names another slide: a plan of other bytes is stored under it. */
    ID_CONFLICT(false),
    /** The slide's bytes differ from those its plan was made from. */
    SLIDE_CHANGED(false),
    /** (prediction) The grid is not what its encoder wrote (a tissue chunk missing, or a checksum wrong); re-encoded. */
    GRID_CORRUPT(false),
    /** The model cannot be loaded: missing, hash mismatch, or ONNX Runtime refuses it. */
    MODEL_UNAVAILABLE(false),
    /** (prediction) The heads published before the predictor started are not all loaded yet; retried later. */
    MODELS_LOADING(true),
    /** Object storage failed; the same event may succeed later. */
    STORAGE_UNAVAILABLE(true),
    /** The stage's process died in this slide's work max-crashes times (out of memory, a native crash, a hang). */
    CRASHED_REPEATEDLY(false),
    /** Anything else: a bug or an unexpected condition. */
    INTERNAL_ERROR(true);

    private final boolean retriable;

    FailureReason(boolean retriable) {
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
