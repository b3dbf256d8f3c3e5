package org.nic.slide;

import java.nio.file.Path;

/**
 * A pluggable slide reader, found through {@link java.util.ServiceLoader}. Each provider says how well
 * it supports a file, so the best reader wins (OpenSlide today; a DICOM or GPU reader later).
 */
public interface SlideReaderProvider {

    /** Provider name used in logs and plans. */
    String name();

    /** 0 when this provider cannot read the file; higher is better. */
    int supportScore(Path path);

    /** Opens the file; only called when {@link #supportScore} was positive. */
    SlideReader open(Path path);
}
