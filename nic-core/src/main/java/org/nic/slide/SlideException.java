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
        CLOSED
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
