package org.nic.tiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nic.slide.SlideMetadata;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.SpacingSource;
import org.nic.slide.TestSlides;

class GridGeometryTest {

    static final long MAX_CELLS = SlidePlanner.GridSettings.DEFAULT_MAX_CELLS;

    @Test
    void cmu1At0499IsReadAtLevel0Without_resampling() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            GridGeometry g = GridGeometry.plan(SlideMetadata.of(slide), slide, 0.5, 128, null, 0.25, 0.01, MAX_CELLS);
            assertThat(g.cellSizeLevel0()).isCloseTo(128.2565, within(1e-3));
            assertThat(g.cols()).isEqualTo((int) (2220 / (128 * 0.5 / 0.499)));
            assertThat(g.rows()).isEqualTo((int) (2967 / (128 * 0.5 / 0.499)));
            assertThat(g.cols()).isEqualTo(17);
            assertThat(g.rows()).isEqualTo(23);
            assertThat(g.level()).isZero();
            assertThat(g.readSize()).isEqualTo(128);
            assertThat(g.resample()).isFalse();
            assertThat(g.spacingAssumed()).isFalse();
            assertThat(g.spacingSource()).isEqualTo(SpacingSource.OPENSLIDE);
            assertThat(g.cellX(1)).isEqualTo(128);
            assertThat(g.cellX(4)).isEqualTo(513);
        }
    }

    @Test
    void overrideAndDefaultSpacingAreFlaggedAndResampleWhenFarFromTarget() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            SlideMetadata unknown = new SlideMetadata("x", "y", SlideMetadata.of(slide).levels(), null, null, null, null);
            GridGeometry assumed = GridGeometry.plan(unknown, slide, 0.5, 128, null, 0.25, 0.01, MAX_CELLS);
            assertThat(assumed.spacingAssumed()).isTrue();
            assertThat(assumed.spacingSource()).isEqualTo(SpacingSource.ASSUMED);
            assertThat(assumed.cellSizeLevel0()).isEqualTo(256.0);
            assertThat(assumed.readSize()).isEqualTo(256);
            assertThat(assumed.resample()).isTrue();
            assertThat(assumed.cols()).isEqualTo(8);

            GridGeometry overridden = GridGeometry.plan(unknown, slide, 0.5, 128, 1.0, 0.25, 0.01, MAX_CELLS);
            assertThat(overridden.spacingOverridden()).isTrue();
            assertThat(overridden.spacingAssumed()).isFalse();
            assertThat(overridden.spacingSource()).isEqualTo(SpacingSource.OVERRIDE);
            assertThat(overridden.readSize()).isEqualTo(64); // a coarse slide is upsampled
            assertThat(overridden.resample()).isTrue();
        }
    }

    @Test
    void absurdOverridesAndOversizedGridsAreRefusedBeforeAnythingIsSizedByThem() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            SlideMetadata m = SlideMetadata.of(slide);
            for (double absurd : new double[] {1e-9, 0.01, 51, 1e6, Double.POSITIVE_INFINITY, Double.NaN}) {
                assertThatThrownBy(() -> GridGeometry.plan(m, slide, 0.5, 128, absurd, 0.25, 0.01, MAX_CELLS))
                        .as("override %s", absurd).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("outside the plausible");
            }
            // 50 um/px is plausible, but 2220 x 2967 px at 50 um/px is an 11 x 15 cm slide: 2317 x 1734 cells of 1.28 px.
            assertThatThrownBy(() -> GridGeometry.plan(m, slide, 0.5, 128, 50.0, 0.25, 0.01, 4_000_000))
                    .isInstanceOf(GridGeometry.TooManyCellsException.class)
                    .hasMessageContaining("2317 x 1734 cells, over the limit of 4000000");
            GridGeometry underLimit = GridGeometry.plan(m, slide, 0.5, 128, 50.0, 0.25, 0.01, 5_000_000);
            assertThat(underLimit.cellCount()).isEqualTo(2317L * 1734);
        }
    }
}
