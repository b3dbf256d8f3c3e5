package org.nic.slide;

import java.nio.file.Path;

/** Registers {@link OpenSlideReader} with {@link SlideReaders}. */
public final class OpenSlideReaderProvider implements SlideReaderProvider {

    @Override
    public String name() {
        return "openslide";
    }

    @Override
    public int supportScore(Path path) {
        if (!OpenSlideReader.isAvailable()) {
            return 0;
        }
        // A recognised vendor format beats OpenSlide's catch-all generic TIFF reader.
        String vendor = OpenSlideReader.detectVendor(path);
        if (vendor == null) {
            return 0;
        }
        return "generic-tiff".equals(vendor) ? 50 : 100;
    }

    @Override
    public SlideReader open(Path path) {
        return OpenSlideReader.open(path);
    }
}
