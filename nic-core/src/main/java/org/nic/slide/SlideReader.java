package org.nic.slide;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * One open whole-slide image. Implementations must allow concurrent {@link #readRegion} calls on one
 * instance, and {@link #close()} must wait for reads in flight and make later calls fail cleanly.
 *
 * <p>Associated images (label, macro) can carry patient identifiers: callers must never store or
 * republish them. They are exposed only so that a reader is complete and testable.
 */
public interface SlideReader extends AutoCloseable {

    /** The file this reader opened. */
    Path path();

    /** Short name of the reader implementation, e.g. {@code openslide-3.4.1}. */
    String readerName();

    /** Vendor format as the library detected it, e.g. {@code aperio}, {@code generic-tiff}. */
    String vendor();

    /** All properties of the slide, as the library reports them. */
    Map<String, String> properties();

    int levelCount();

    /** Width and height of a pyramid level in pixels. */
    LevelDimensions levelDimensions(int level);

    /** Downsample of a level relative to level 0. */
    double levelDownsample(int level);

    /** The level whose downsample is the largest not above {@code downsample} (0 when none is). */
    default int bestLevelForDownsample(double downsample) {
        int best = 0;
        for (int level = 1; level < levelCount(); level++) {
            double ds = levelDownsample(level);
            if (ds <= downsample * (1 + 1e-9) && ds > levelDownsample(best)) {
                best = level;
            }
        }
        return best;
    }

    /**
     * Reads a region into {@code dest} as packed opaque RGB ({@code 0xRRGGBB} in the low 24 bits),
     * with transparent areas (outside the scanned region) composited on white.
     *
     * @param x left edge in level-0 coordinates
     * @param y top edge in level-0 coordinates
     * @param level pyramid level to read from
     * @param width width in pixels of that level
     * @param height height in pixels of that level
     * @param dest at least {@code width * height} ints, row-major
     */
    void readRegion(long x, long y, int level, int width, int height, int[] dest);

    /** Convenience form of {@link #readRegion(long, long, int, int, int, int[])}. */
    default BufferedImage readRegion(long x, long y, int level, int width, int height) {
        int[] pixels = new int[Math.multiplyExact(width, height)];
        readRegion(x, y, level, width, height, pixels);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }

    /** Names of associated images (label, macro, thumbnail...). */
    Set<String> associatedImageNames();

    /** Reads an associated image. See the class comment about patient identifiers. */
    BufferedImage readAssociatedImage(String name);

    /** Releases the native handle; idempotent. */
    @Override
    void close();

    /** Size of one pyramid level. */
    record LevelDimensions(long width, long height) {
        public long pixels() {
            return width * height;
        }
    }
}
