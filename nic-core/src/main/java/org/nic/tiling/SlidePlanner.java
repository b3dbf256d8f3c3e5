package org.nic.tiling;

import java.util.ArrayList;
import java.util.List;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideMetadata;
import org.nic.slide.SlideReader;

/** Plans the patch grid of an open slide: geometry, tissue mask, tissue cells, thumbnail. */
public final class SlidePlanner {

    /** Method name recorded in plans. */
    public static final String TISSUE_METHOD = "otsu-saturation+pen-dark-rejection+close-open+min-area";

    /** Largest low-resolution image the planner renders (pixels). */
    static final long MAX_LOW_RES_PIXELS = 64L << 20;

    private final GridSettings settings;
    private final TissueDetector detector;
    private final String tilerName;

    /**
     * @param targetSpacing micrometres per pixel of a patch
     * @param patchSize patch edge in pixels
     * @param defaultSpacing level-0 spacing assumed when a slide does not state one
     * @param spacingTolerance relative spacing error accepted without resampling
     * @param tissue tissue detection parameters
     * @param maxCells most cells a grid may have (see {@link GridGeometry.TooManyCellsException})
     */
    public record GridSettings(double targetSpacing, int patchSize, double defaultSpacing, double spacingTolerance,
                               TissueParameters tissue, long maxCells) {

        /** Default cell limit: 2048 x 2048 cells of 64 um, a 131 mm square, larger than any glass slide. */
        public static final long DEFAULT_MAX_CELLS = 1L << 22;

        public GridSettings(double targetSpacing, int patchSize, double defaultSpacing, double spacingTolerance,
                            TissueParameters tissue) {
            this(targetSpacing, patchSize, defaultSpacing, spacingTolerance, tissue, DEFAULT_MAX_CELLS);
        }
    }

    /** Everything planning produced: the plan and the two images stored beside it. */
    public record Result(SlidePlan plan, RgbImage thumbnail, TissueMask mask) { }

    public SlidePlanner(GridSettings settings, String tilerName) {
        this.settings = settings;
        this.detector = new TissueDetector(settings.tissue());
        this.tilerName = tilerName;
    }

    public Result plan(String slideId, String slideUri, SlideIdentity identity, SlideReader reader,
                       Double spacingOverride) {
        SlideMetadata metadata = SlideMetadata.of(reader);
        GridGeometry grid = GridGeometry.plan(metadata, reader, settings.targetSpacing(), settings.patchSize(),
                spacingOverride, settings.defaultSpacing(), settings.spacingTolerance(), settings.maxCells());
        double maskDownsample = Math.max(1, settings.tissue().maskSpacing() / grid.spacing());
        RgbImage lowRes = LowResolutionRenderer.render(reader, maskDownsample, MAX_LOW_RES_PIXELS,
                settings.tissue().maskSourceFactor());
        TissueMask mask = detector.detect(lowRes, grid.spacing());
        List<int[]> cells = tissueCells(grid, mask, settings.tissue().minCellTissueFraction());
        SlidePlan.Tissue tissue = new SlidePlan.Tissue(TISSUE_METHOD, settings.tissue(), mask.saturationThreshold(),
                mask.width(), mask.height(), mask.downsample(),
                (double) mask.tissuePixels() / ((long) mask.width() * mask.height()));
        SlidePlan plan = new SlidePlan(SlidePlan.FORMAT_VERSION, slideId, slideUri, identity, metadata, grid, tissue,
                cells, tilerName);
        return new Result(plan, lowRes, mask);
    }

    /** Cells whose tissue fraction (see {@link TissueMask#tissueFraction}) reaches the minimum. */
    static List<int[]> tissueCells(GridGeometry grid, TissueMask mask, double minFraction) {
        List<int[]> cells = new ArrayList<>();
        double cell = grid.cellSizeLevel0();
        for (int row = 0; row < grid.rows(); row++) {
            for (int col = 0; col < grid.cols(); col++) {
                double fraction = mask.tissueFraction(col * cell, row * cell, (col + 1) * cell, (row + 1) * cell);
                if (fraction > 0 && fraction >= minFraction) {
                    cells.add(new int[] {row, col});
                }
            }
        }
        return cells;
    }
}
