package org.nic.slide;

import java.nio.file.Path;

/** A slide could not be opened or read; always names the slide and says which of the two. */
public class SlideException extends RuntimeException {

    /** What went wrong, in terms a pipeline can act on. */
    public enum Kind {
        /** No reader recognises the file (not a slide, or a format this build lacks). */
        UNSUPPORTED_FORMAT,
        /** A reader recognised the file but failed to open it. */
        OPEN_FAILED,
        /** The slide opened but pixels or metadata could not be read. */
        READ_FAILED,
        /** The reader was used after close. */
        CLOSED,
        /** (DICOM) The file is DICOM but no whole-slide image: another SOP class. */
        NOT_A_SLIDE,
        /** (DICOM) A whole-slide series with no VOLUME image (only label, overview or thumbnail). */
        NO_VOLUME_IMAGE,
        /** (DICOM) Frames in a transfer syntax that has no decoder here (e.g. JPEG-LS). */
        UNSUPPORTED_TRANSFER_SYNTAX,
        /** (DICOM) Pixels that are not 8-bit colour (e.g. 16-bit greyscale): not a bright-field H&E slide. */
        UNSUPPORTED_PIXEL_FORMAT,
        /** (DICOM) The instances disagree: more than one series, or levels that image different extents. */
        INCONSISTENT_SERIES
    }

    private final Kind kind;
    private final Path slide;

    public SlideException(Kind kind, Path slide, String message) {
        super(slide.getFileName() + ": " + message);
        this.kind = kind;
        this.slide = slide;
    }

    public Kind kind() {
        return kind;
    }

    public Path slide() {
        return slide;
    }
}
