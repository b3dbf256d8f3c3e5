package org.nic.slide;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What NIC keeps of a slide's properties: geometry, spacing and objective. Vendor comments and other
 * free-text properties are left out on purpose: scanners write file names, users and dates there.
 *
 * @param vendor format detected by the reader, e.g. {@code aperio}
 * @param reader reader and version that opened the slide
 * @param levels pyramid levels, level 0 first
 * <p>Spacing comes from the reader's {@code openslide.mpp-x/y}; when those are missing (OpenSlide 3.4
 * says nothing for generic TIFF) from the TIFF resolution tags that libvips, QuPath, bfconvert and most
 * converters write. Values outside {@link SpacingSource#plausible} are ignored with a warning: a 72 dpi
 * default or a unit mix-up must not be trusted as a slide's spacing.
 *
 * @param mppX micrometres per pixel along x at level 0, null when the slide does not say
 * @param mppY micrometres per pixel along y at level 0, null when the slide does not say
 * @param mppSource where mppX/mppY came from ({@code openslide} or {@code tiff-resolution}), null when neither
 * @param objectivePower scanning objective (e.g. 20, 40), null when the slide does not say
 */
public record SlideMetadata(String vendor, String reader, List<Level> levels, Double mppX, Double mppY,
                            SpacingSource mppSource, Double objectivePower) {

    private static final Logger LOG = Logger.getLogger(SlideMetadata.class);

    /** Standard OpenSlide property names, which other readers are expected to fill too. */
    public static final String MPP_X = "openslide.mpp-x";
    public static final String MPP_Y = "openslide.mpp-y";
    public static final String OBJECTIVE_POWER = "openslide.objective-power";
    /** A DICOM slide's level-0 PixelSpacing in micrometres (column spacing along x, row spacing along y). */
    public static final String DICOM_MPP_X = "dicom.mpp-x";
    public static final String DICOM_MPP_Y = "dicom.mpp-y";
    /** TIFF tags as OpenSlide exposes them (pixels per unit; unit {@code inch}, {@code centimeter} or {@code none}). */
    public static final String TIFF_X_RESOLUTION = "tiff.XResolution";
    public static final String TIFF_Y_RESOLUTION = "tiff.YResolution";
    public static final String TIFF_RESOLUTION_UNIT = "tiff.ResolutionUnit";

    /** One pyramid level. */
    public record Level(long width, long height, double downsample) { }

    public static SlideMetadata of(SlideReader reader) {
        List<Level> levels = new ArrayList<>();
        for (int i = 0; i < reader.levelCount(); i++) {
            SlideReader.LevelDimensions d = reader.levelDimensions(i);
            levels.add(new Level(d.width(), d.height(), reader.levelDownsample(i)));
        }
        Map<String, String> props = reader.properties();
        Double objective = positive(props.get(OBJECTIVE_POWER));
        Double x = plausible(positive(props.get(MPP_X)), MPP_X);
        Double y = plausible(positive(props.get(MPP_Y)), MPP_Y);
        if (x != null || y != null) {
            return new SlideMetadata(reader.vendor(), reader.readerName(), List.copyOf(levels), x, y,
                    SpacingSource.OPENSLIDE, objective);
        }
        x = plausible(positive(props.get(DICOM_MPP_X)), DICOM_MPP_X);
        y = plausible(positive(props.get(DICOM_MPP_Y)), DICOM_MPP_Y);
        if (x != null || y != null) {
            return new SlideMetadata(reader.vendor(), reader.readerName(), List.copyOf(levels), x, y,
                    SpacingSource.DICOM_PIXEL_SPACING, objective);
        }
        Double unitMicrons = micronsPerUnit(props.get(TIFF_RESOLUTION_UNIT), props.containsKey(TIFF_X_RESOLUTION));
        if (unitMicrons != null) {
            x = plausible(perPixel(unitMicrons, positive(props.get(TIFF_X_RESOLUTION))), TIFF_X_RESOLUTION);
            y = plausible(perPixel(unitMicrons, positive(props.get(TIFF_Y_RESOLUTION))), TIFF_Y_RESOLUTION);
        }
        return new SlideMetadata(reader.vendor(), reader.readerName(), List.copyOf(levels), x, y,
                x != null || y != null ? SpacingSource.TIFF_RESOLUTION : null, objective);
    }

    /**
     * Micrometres in one TIFF resolution unit. A missing unit tag means inch (the TIFF 6.0 default);
     * {@code none} (no absolute unit) gives no spacing.
     */
    static Double micronsPerUnit(String unit, boolean hasResolution) {
        if (unit == null) {
            return hasResolution ? 25_400.0 : null;
        }
        return switch (unit.trim().toLowerCase(Locale.ROOT)) {
            case "inch", "2" -> 25_400.0;
            case "centimeter", "centimetre", "cm", "3" -> 10_000.0;
            default -> null;
        };
    }

    private static Double perPixel(double micronsPerUnit, Double pixelsPerUnit) {
        return pixelsPerUnit == null ? null : micronsPerUnit / pixelsPerUnit;
    }

    private static Double plausible(Double mpp, String property) {
        if (mpp != null && !SpacingSource.plausible(mpp)) {
            LOG.warnf("ignoring %s: it gives %.4g um/px, outside the plausible %.2f-%.0f um/px of a slide", property, mpp,
                    SpacingSource.MIN_PLAUSIBLE_MPP, SpacingSource.MAX_PLAUSIBLE_MPP);
            return null;
        }
        return mpp;
    }

    public long width() {
        return levels.get(0).width();
    }

    public long height() {
        return levels.get(0).height();
    }

    /** Level-0 spacing when the slide states it: the mean of x and y. */
    public Double mpp() {
        if (mppX == null && mppY == null) {
            return null;
        }
        if (mppX == null || mppY == null) {
            return mppX != null ? mppX : mppY;
        }
        return (mppX + mppY) / 2;
    }

    private static Double positive(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            double v = Double.parseDouble(value.trim());
            return Double.isFinite(v) && v > 0 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
