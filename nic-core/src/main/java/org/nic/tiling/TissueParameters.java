package org.nic.tiling;

/**
 * Parameters of {@link TissueDetector}; see docs/tiling.md for the method.
 *
 * @param maskSpacing micrometres per pixel of the low-resolution image the mask is computed on
 * @param minSaturation floor of the saturation threshold (0-255), so a blank slide yields no tissue
 * @param darkValue pixels whose brightest channel is below this (0-255) are debris, folds or black ink
 * @param penHueMin start of the hue range (degrees) treated as marker ink when saturated
 * @param penHueMax end of that hue range (degrees); H&E hues (pink to purple) lie outside it
 * @param penMinSaturation saturation (0-255) above which a pixel in the pen hue range is ink
 * @param closingRadius micrometres: closing joins tissue fragments split by pale areas
 * @param openingRadius micrometres: opening removes specks and dust
 * @param minComponentArea square micrometres: smaller connected tissue components are dropped
 * @param minCellTissueFraction a grid cell is tissue when at least this fraction of it is
 * @param maskSourceFactor the mask's image is rendered from a pyramid level at least this many times finer than it
 *        (where the slide has one), averaged by NIC: the same slide from scanners or converters that made their coarse
 *        levels with other filters (an SVS, its DICOM conversion) then gives the same mask (docs/tiling.md)
 */
public record TissueParameters(double maskSpacing, int minSaturation, int darkValue, double penHueMin,
                               double penHueMax, int penMinSaturation, double closingRadius,
                               double openingRadius, double minComponentArea, double minCellTissueFraction,
                               double maskSourceFactor) {

    /** Defaults that suit H&E slides. */
    public static TissueParameters defaults() {
        return new TissueParameters(8.0, 20, 40, 70, 250, 60, 16, 16, 20_000, 0.1, 8);
    }
}
