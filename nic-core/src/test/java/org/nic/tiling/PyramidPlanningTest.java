package org.nic.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nic.slide.RecordingSlideReader;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReaders;
import org.nic.slide.SyntheticSlides;

/** On a slide with a pyramid, planning never reads level 0: one coarser level, whole, for the mask and thumbnail. */
class PyramidPlanningTest {

    @Test
    void planningNeverReadsTheFullResolutionLevel() throws Exception {
        Path slide = SyntheticSlides.pyramid(Files.createTempDirectory("nic-pyramid").resolve("he-4k.tif"), 4);
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                TissueParameters.defaults()), "test");
        try (RecordingSlideReader reader = new RecordingSlideReader(SlideReaders.installed().open(slide))) {
            assertThat(reader.vendor()).isEqualTo("generic-tiff");
            assertThat(reader.levelCount()).isGreaterThan(3);
            SlidePlan plan = planner.plan("he-4k", "file:" + slide, SlideIdentity.of(slide, null), reader, null)
                    .plan();
            // OpenSlide 3.4 states no spacing for generic TIFF; libvips' resolution tags give 0.5 um/px.
            assertThat(plan.grid().spacingSource()).isEqualTo(org.nic.slide.SpacingSource.TIFF_RESOLUTION);
            assertThat(plan.grid().cols()).isEqualTo(4000 / 128);
            assertThat(reader.pixelsRead(0)).as("level-0 pixels read").isZero();
            long total = 0;
            for (int level = 0; level < reader.levelCount(); level++) {
                total += reader.pixelsRead(level);
            }
            // The mask (8 um/px, 16x) is rendered from the 2x level (mask-source-factor 8): a quarter of level 0's pixels.
            assertThat(total).isPositive().isLessThanOrEqualTo(4000L * 4000 / 4);
            assertThat(reader.pixelsRead(1)).as("the 2x level, whole").isEqualTo(2000L * 2000);
            // Real H&E texture edge to edge: nearly every cell is tissue.
            assertThat(plan.tissueCellCount()).isGreaterThan((int) (0.8 * plan.grid().cellCount()));
        }
    }
}
