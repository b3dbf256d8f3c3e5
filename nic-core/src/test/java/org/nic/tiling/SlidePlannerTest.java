package org.nic.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.TestSlides;

class SlidePlannerTest {

    @Test
    void plansCmu1WithTissueInsideTheGrid() throws Exception {
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                TissueParameters.defaults()), "test", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            SlidePlanner.Result result = planner.plan("cmu-1", "file:x", SlideIdentity.of(TestSlides.cmu1(), null, null),
                    slide, null);
            SlidePlan plan = result.plan();
            assertThat(plan.grid().rows()).isEqualTo(23);
            assertThat(plan.grid().cols()).isEqualTo(17);
            // CMU-1's region is mostly tissue with glass at its edges.
            assertThat(plan.tissueCellCount()).isBetween(100, 23 * 17 - 20);
            assertThat(plan.tissueCells()).allMatch(c -> c[0] >= 0 && c[0] < 23 && c[1] >= 0 && c[1] < 17);
            assertThat(result.mask().width()).isEqualTo(result.thumbnail().width());
            assertThat(plan.identity().size()).isEqualTo(1938955L);
            assertThat(plan.tissue().maskDownsample()).isCloseTo(8 / 0.499, org.assertj.core.api.Assertions.within(1e-9));
        }
    }
}
