package org.nic.slide.dicom;

import java.nio.file.Path;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaderProvider;

/**
 * Registers {@link DicomSlideReader} with {@link org.nic.slide.SlideReaders}: a DICOM file, or a folder holding DICOM
 * files (a series). OpenSlide 3.4 cannot read DICOM, so nothing competes for these.
 */
public final class DicomSlideReaderProvider implements SlideReaderProvider {

    /** The PixelMed release this reader is built and tested with (Debian's libpixelmed-java). */
    static final String PIXELMED_VERSION = "20220618";

    @Override
    public String name() {
        return "dicom";
    }

    @Override
    public int supportScore(Path path) {
        return DicomSlideReader.files(path).isEmpty() ? 0 : 100;
    }

    @Override
    public SlideReader open(Path path) {
        return DicomSlideReader.open(path);
    }
}
