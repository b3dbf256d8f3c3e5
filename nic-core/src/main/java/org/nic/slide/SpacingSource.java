package org.nic.slide;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a slide's level-0 spacing (micrometres per pixel) came from; recorded in every plan. */
public enum SpacingSource {
    /** The reader's standard {@code openslide.mpp-x/y} properties (the vendor's own metadata). */
    OPENSLIDE("openslide"),
    /** The TIFF {@code XResolution}/{@code YResolution} tags with their {@code ResolutionUnit}. */
    TIFF_RESOLUTION("tiff-resolution"),
    /** A DICOM image's PixelSpacing (mm, as micrometres). */
    DICOM_PIXEL_SPACING("dicom-pixel-spacing"),
    /** The {@code mppOverride} of the slide-arrived event. */
    OVERRIDE("override"),
    /** Nothing stated it: the tiler's configured default. */
    ASSUMED("assumed");

    /** Spacings outside this range are not a whole-slide image's: such metadata is ignored, such overrides refused. */
    public static final double MIN_PLAUSIBLE_MPP = 0.05;
    public static final double MAX_PLAUSIBLE_MPP = 50;

    private final String label;

    SpacingSource(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    public static boolean plausible(double mpp) {
        return mpp >= MIN_PLAUSIBLE_MPP && mpp <= MAX_PLAUSIBLE_MPP;
    }
}
