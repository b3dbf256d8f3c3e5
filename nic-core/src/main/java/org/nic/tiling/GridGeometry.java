package org.nic.tiling;

import org.nic.slide.SlideMetadata;
import org.nic.slide.SlideReader;
import org.nic.slide.SpacingSource;

/**
 * Where the patch grid lies on a slide and how each cell is read.
 *
 * <p>Cells are square, {@code cellSizeLevel0} level-0 pixels wide ({@code patchSize * targetSpacing /
 * spacing}, e.g. 128 * 0.5 / 0.499 = 128.26 px for CMU-1), laid from the slide's top-left corner
 * (origin 0,0). Cell (row, col) starts at level-0 pixel {@code floor(col * cellSizeLevel0)},
 * {@code floor(row * cellSizeLevel0)}. Only whole cells count: a partial cell at the right or bottom
 * edge is not part of the grid. Each cell is read from {@code level} as a {@code readSize} square; when
 * {@code resample} is false the read is used as is (its spacing differs from the target by at most the
 * tolerance), otherwise it is area-resampled to {@code patchSize}.
 *
 * @param spacing level-0 micrometres per pixel used for the plan
 * @param spacingSource where {@code spacing} came from
 * @param spacingAssumed true when the slide did not state its spacing and the configured default was used
 * @param spacingOverridden true when the spacing came from the slide-arrived event
 * @param targetSpacing micrometres per pixel of a patch (0.5 in NIC)
 * @param patchSize patch edge in pixels at the target spacing (128 in NIC)
 * @param cellSizeLevel0 cell edge in level-0 pixels
 * @param rows whole cells down the slide
 * @param cols whole cells across the slide
 * @param level pyramid level read for patches
 * @param levelDownsample downsample of that level
 * @param readSize edge of the square read at {@code level} for one cell
 * @param resample whether reads are resampled to {@code patchSize}
 * @param effectiveSpacing micrometres per pixel of a patch as read (equal to the target when resampled)
 */
public record GridGeometry(double spacing, SpacingSource spacingSource, boolean spacingAssumed, boolean spacingOverridden,
                           double targetSpacing, int patchSize, double cellSizeLevel0, int rows, int cols,
                           int level, double levelDownsample, int readSize, boolean resample,
                           double effectiveSpacing) {

    /** Thrown when a grid would have more cells than allowed (an absurd spacing, or an absurd slide). */
    public static final class TooManyCellsException extends RuntimeException {
        public TooManyCellsException(String message) {
            super(message);
        }
    }

    /**
     * Plans the grid of a slide.
     *
     * @param slide the slide's metadata
     * @param reader used only to pick a pyramid level
     * @param targetSpacing micrometres per pixel of a patch
     * @param patchSize patch edge in pixels
     * @param spacingOverride spacing from the event, or null
     * @param defaultSpacing spacing used when neither the event nor the slide gives one
     * @param tolerance relative spacing error accepted without resampling (e.g. 0.01)
     * @param maxCells most cells a grid may have
     * @throws IllegalArgumentException for an override outside the plausible spacings of a slide
     * @throws TooManyCellsException when the grid would exceed {@code maxCells}
     */
    public static GridGeometry plan(SlideMetadata slide, SlideReader reader, double targetSpacing, int patchSize,
                                    Double spacingOverride, double defaultSpacing, double tolerance, long maxCells) {
        if (!(targetSpacing > 0) || patchSize < 1 || !(defaultSpacing > 0) || !(tolerance >= 0) || maxCells < 1) {
            throw new IllegalArgumentException("bad grid parameters");
        }
        boolean overridden = spacingOverride != null;
        if (overridden && !(Double.isFinite(spacingOverride) && SpacingSource.plausible(spacingOverride))) {
            throw new IllegalArgumentException(String.format("spacing override %s um/px is outside the plausible %.2f-%.0f um/px",
                    spacingOverride, SpacingSource.MIN_PLAUSIBLE_MPP, SpacingSource.MAX_PLAUSIBLE_MPP));
        }
        Double stated = slide.mpp();
        double spacing = overridden ? spacingOverride : stated != null ? stated : defaultSpacing;
        boolean assumed = !overridden && stated == null;
        SpacingSource source = overridden ? SpacingSource.OVERRIDE
                : stated != null ? slide.mppSource() : SpacingSource.ASSUMED;

        double downsample = targetSpacing / spacing;
        double cell = patchSize * downsample;
        // A hair of slack so that an exact multiple is not lost to floating-point error. Counted in longs
        // and checked before anything is sized by them.
        long colsLong = (long) Math.floor(slide.width() / cell + 1e-9);
        long rowsLong = (long) Math.floor(slide.height() / cell + 1e-9);
        if (colsLong > maxCells || rowsLong > maxCells || colsLong * rowsLong > maxCells) {
            throw new TooManyCellsException(String.format("a %d x %d px slide at %s um/px (%s) makes %d x %d cells,"
                    + " over the limit of %d cells", slide.width(), slide.height(), spacing, source.label(), rowsLong,
                    colsLong, maxCells));
        }
        int cols = (int) colsLong;
        int rows = (int) rowsLong;

        int level = reader.bestLevelForDownsample(downsample * (1 + tolerance));
        double levelDownsample = reader.levelDownsample(level);
        double exactRead = cell / levelDownsample;
        boolean resample = Math.abs(exactRead - patchSize) > tolerance * patchSize;
        int readSize = resample ? (int) Math.round(exactRead) : patchSize;
        double effective = resample ? targetSpacing : spacing * levelDownsample;
        return new GridGeometry(spacing, source, assumed, overridden, targetSpacing, patchSize, cell, rows, cols,
                level, levelDownsample, Math.max(1, readSize), resample, effective);
    }

    /** Left edge of a column in level-0 pixels. */
    public long cellX(int col) {
        return (long) Math.floor(col * cellSizeLevel0);
    }

    /** Top edge of a row in level-0 pixels. */
    public long cellY(int row) {
        return (long) Math.floor(row * cellSizeLevel0);
    }

    public long cellCount() {
        return (long) rows * cols;
    }
}
