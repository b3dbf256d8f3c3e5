package org.nic.tiler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the tiler. Keys are {@code nic.*}; environment variables {@code NIC_*}. Object storage is
 * {@link org.nic.service.storage.StorageConfig}, shared by all services.
 */
@ConfigMapping(prefix = "nic")
public interface TilerConfig {

    /** Where slides may be read from. */
    org.nic.service.source.SourcesConfig sources();

    /** The patch grid. */
    Tiling tiling();

    /** Tissue detection; see docs/tiling.md. */
    Tissue tissue();

    interface Tiling {
        /** Micrometres per pixel of a patch. */
        @WithDefault("0.5")
        double targetSpacing();

        /** Patch edge in pixels at the target spacing. */
        @WithDefault("128")
        int patchSize();

        /** Level-0 micrometres per pixel assumed for a slide that states none (the plan flags it). */
        @WithDefault("0.25")
        double defaultSpacing();

        /** Relative spacing error accepted without resampling reads. */
        @WithDefault("0.01")
        double spacingTolerance();

        /** Largest level accepted, in pixels (width x height), checked on every level before any pixel is read. */
        @WithDefault("20000000000")
        long maxPixels();

        /**
         * Longest side of any level accepted, in pixels, checked with {@code max-pixels} before any pixel buffer exists:
         * 1,000,000 px is 250 mm at 0.25 um/px, over three times a 75 mm glass slide. A 300,000,000 x 60 px file is
         * under max-pixels and would otherwise size buffers by its width.
         */
        @WithDefault("1000000")
        long maxSide();

        /**
         * Largest grid accepted, in cells (rows x cols); 4,194,304 = 2048 x 2048 cells of 64 um, a 131 mm
         * square. A slide over it (an absurd spacing, usually) fails with SLIDE_TOO_LARGE.
         */
        @WithDefault("4194304")
        long maxCells();
    }

    interface Tissue {
        /** Micrometres per pixel of the image the mask is computed on (and of the thumbnail). */
        @WithDefault("8.0")
        double maskSpacing();

        /**
         * The mask's image is rendered from a level at least this many times finer than it (where the slide has one),
         * so the slide's own coarse levels, resampled by whatever filter its scanner or converter used, do not move
         * tissue cells. 8: at 8 um/px from a 0.5 um/px slide, the 2x level (a quarter of level 0's pixels); 1: the
         * level nearest the mask, the cheapest.
         */
        @WithDefault("8")
        double maskSourceFactor();

        /** Floor of the Otsu saturation threshold (0-255). */
        @WithDefault("20")
        int minSaturation();

        /** Pixels whose brightest channel is below this (0-255) are debris or ink. */
        @WithDefault("40")
        int darkValue();

        /** Start of the marker-ink hue range, degrees. */
        @WithDefault("70")
        double penHueMin();

        /** End of the marker-ink hue range, degrees. */
        @WithDefault("250")
        double penHueMax();

        /** Saturation (0-255) above which a pixel in the ink hue range is ink. */
        @WithDefault("60")
        int penMinSaturation();

        /** Closing radius, micrometres. */
        @WithDefault("16")
        double closingRadius();

        /** Opening radius, micrometres. */
        @WithDefault("16")
        double openingRadius();

        /** Smallest tissue component kept, square micrometres. */
        @WithDefault("20000")
        double minComponentArea();

        /** Fraction of a cell that must be tissue for the cell to be encoded. */
        @WithDefault("0.1")
        double minCellTissueFraction();
    }
}
