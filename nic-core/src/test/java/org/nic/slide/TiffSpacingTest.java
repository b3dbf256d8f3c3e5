package org.nic.slide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nic.tiling.GridGeometry;

/**
 * Generic TIFF slides written by libvips carry their spacing only as TIFF resolution tags, which
 * OpenSlide 3.4 does not turn into {@code openslide.mpp-x}: NIC reads the tags itself.
 */
class TiffSpacingTest {

    @Test
    void aLibvipsTiffAtHalfAMicronIsPlannedAtHalfAMicronFromItsResolutionTags() throws Exception {
        Path dir = Files.createTempDirectory("nic-tiff-spacing");
        Path cm = SyntheticSlides.pyramid(dir.resolve("cm.tif"), 1, 0.5, "cm");
        Path inch = SyntheticSlides.pyramid(dir.resolve("inch.tif"), 1, 0.25, "inch");
        try (SlideReader slide = SlideReaders.installed().open(cm)) {
            assertThat(slide.properties()).doesNotContainKey(SlideMetadata.MPP_X); // what this test is about
            assertThat(slide.properties().get(SlideMetadata.TIFF_RESOLUTION_UNIT)).isEqualTo("centimeter");
            SlideMetadata m = SlideMetadata.of(slide);
            assertThat(m.mpp()).isCloseTo(0.5, within(1e-6));
            assertThat(m.mppSource()).isEqualTo(SpacingSource.TIFF_RESOLUTION);
            GridGeometry g = GridGeometry.plan(m, slide, 0.5, 128, null, 0.25, 0.01, 1 << 20);
            assertThat(g.spacingSource()).isEqualTo(SpacingSource.TIFF_RESOLUTION);
            assertThat(g.spacingAssumed()).isFalse();
            assertThat(g.cols()).isEqualTo(1000 / 128); // 64 um cells of a 500 um wide slide
            assertThat(g.readSize()).isEqualTo(128);
            assertThat(g.resample()).isFalse();
        }
        try (SlideReader slide = SlideReaders.installed().open(inch)) {
            assertThat(slide.properties().get(SlideMetadata.TIFF_RESOLUTION_UNIT)).isEqualTo("inch");
            SlideMetadata m = SlideMetadata.of(slide);
            assertThat(m.mpp()).isCloseTo(0.25, within(1e-4));
            assertThat(m.mppSource()).isEqualTo(SpacingSource.TIFF_RESOLUTION);
        }
    }

    @Test
    void libvipsDefaultResolutionIsNotASlideSpacingAndIsIgnored() throws Exception {
        Path slideFile = SyntheticSlides.pyramid(Files.createTempDirectory("nic-tiff-default").resolve("d.tif"), 1, null, "cm");
        try (SlideReader slide = SlideReaders.installed().open(slideFile)) {
            // libvips' default is 1 px/mm, i.e. 1000 um/px: present, but absurd for a slide.
            assertThat(slide.properties()).containsKey(SlideMetadata.TIFF_X_RESOLUTION);
            SlideMetadata m = SlideMetadata.of(slide);
            assertThat(m.mpp()).isNull();
            assertThat(m.mppSource()).isNull();
            GridGeometry g = GridGeometry.plan(m, slide, 0.5, 128, null, 0.25, 0.01, 1 << 20);
            assertThat(g.spacingSource()).isEqualTo(SpacingSource.ASSUMED);
            assertThat(g.spacingAssumed()).isTrue();
            assertThat(g.spacing()).isEqualTo(0.25);
        }
    }

    @Test
    void resolutionUnitsFollowTheTiffSpecification() {
        assertThat(SlideMetadata.micronsPerUnit("centimeter", true)).isEqualTo(10_000.0);
        assertThat(SlideMetadata.micronsPerUnit("inch", true)).isEqualTo(25_400.0);
        assertThat(SlideMetadata.micronsPerUnit(null, true)).as("TIFF 6.0: no unit tag means inch").isEqualTo(25_400.0);
        assertThat(SlideMetadata.micronsPerUnit(null, false)).isNull();
        assertThat(SlideMetadata.micronsPerUnit("none", true)).as("no absolute unit").isNull();
    }
}
