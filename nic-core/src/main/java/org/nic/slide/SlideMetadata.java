package org.nic.slide;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What NIC keeps of a slide's properties: geometry, spacing and objective. Vendor comments and other
 * free-text properties are left out on purpose: scanners write file names, users and dates there.
 *
 * @param vendor format detected by the reader, e.g. {@code aperio}
 * @param reader reader and version that opened the slide
 * @param levels pyramid levels, level 0 first
 * @param mppX micrometres per pixel along x at level 0, null when the slide does not say
 * @param mppY micrometres per pixel along y at level 0, null when the slide does not say
 * @param objectivePower scanning objective (e.g. 20, 40), null when the slide does not say
 */
public record SlideMetadata(String vendor, String reader, List<Level> levels, Double mppX, Double mppY,
                            Double objectivePower) {

    /** Standard OpenSlide property names, which other readers are expected to fill too. */
    public static final String MPP_X = "openslide.mpp-x";
    public static final String MPP_Y = "openslide.mpp-y";
    public static final String OBJECTIVE_POWER = "openslide.objective-power";

    /** One pyramid level. */
    public record Level(long width, long height, double downsample) { }

    public static SlideMetadata of(SlideReader reader) {
        List<Level> levels = new ArrayList<>();
        for (int i = 0; i < reader.levelCount(); i++) {
            SlideReader.LevelDimensions d = reader.levelDimensions(i);
            levels.add(new Level(d.width(), d.height(), reader.levelDownsample(i)));
        }
        Map<String, String> props = reader.properties();
        return new SlideMetadata(reader.vendor(), reader.readerName(), List.copyOf(levels),
                positive(props.get(MPP_X)), positive(props.get(MPP_Y)), positive(props.get(OBJECTIVE_POWER)));
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
