package org.nic.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nic.slide.SlideMetadata;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.TestSlides;

class GridGeometryTest {

    @Test
    void cmu1At0499IsReadAtLevel0Without_resampling() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            GridGeometry g = GridGeometry.plan(SlideMetadata.of(slide), slide, 0.5, 128, null, 0.25, 0.01);
            assertThat(g.cellSizeLevel0()).isCloseTo(128.2565, within(1e-3));
            assertThat(g.cols()).isEqualTo((int) (2220 / (128 * 0.5 / 0.499)));
            assertThat(g.rows()).isEqualTo((int) (2967 / (128 * 0.5 / 0.499)));
            assertThat(g.cols()).isEqualTo(17);
            assertThat(g.rows()).isEqualTo(23);
            assertThat(g.level()).isZero();
            assertThat(g.readSize()).isEqualTo(128);
            assertThat(g.resample()).isFalse();
            assertThat(g.spacingAssumed()).isFalse();
            assertThat(g.cellX(1)).isEqualTo(128);
            assertThat(g.cellX(4)).isEqualTo(513);
        }
    }

    @Test
    void overrideAndDefaultSpacingAreFlaggedAndResampleWhenFarFromTarget() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            SlideMetadata unknown = new SlideMetadata("x", "y", SlideMetadata.of(slide).levels(), null, null, null);
            GridGeometry assumed = GridGeometry.plan(unknown, slide, 0.5, 128, null, 0.25, 0.01);
            assertThat(assumed.spacingAssumed()).isTrue();
            assertThat(assumed.cellSizeLevel0()).isEqualTo(256.0);
            assertThat(assumed.readSize()).isEqualTo(256);
            assertThat(assumed.resample()).isTrue();
            assertThat(assumed.cols()).isEqualTo(8);

            GridGeometry overridden = GridGeometry.plan(unknown, slide, 0.5, 128, 1.0, 0.25, 0.01);
            assertThat(overridden.spacingOverridden()).isTrue();
            assertThat(overridden.spacingAssumed()).isFalse();
            assertThat(overridden.readSize()).isEqualTo(64); // a coarse slide is upsampled
            assertThat(overridden.resample()).isTrue();
        }
    }
}
