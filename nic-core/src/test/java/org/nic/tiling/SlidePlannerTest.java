package org.nic.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.TestSlides;

class SlidePlannerTest {

    @Test
    void plansCmu1WithTissueInsideTheGrid() throws Exception {
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                TissueParameters.defaults()), "test");
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            SlidePlanner.Result result = planner.plan("cmu-1", "file:x", SlideIdentity.of(TestSlides.cmu1(), null),
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

    @Test
    void theSameSlideAndSettingsGiveAByteIdenticalPlan() throws Exception {
        java.nio.file.Path copy = java.nio.file.Files.createTempDirectory("nic-plan").resolve("cmu1.svs");
        java.nio.file.Files.copy(TestSlides.cmu1(), copy);
        byte[][] json = new byte[2][];
        for (int i = 0; i < 2; i++) {
            if (i == 1) { // a touched file (new modification time), same bytes
                java.nio.file.Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000L));
                Thread.sleep(5);
            }
            SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                    TissueParameters.defaults()), "test");
            try (SlideReader slide = SlideReaders.installed().open(copy)) {
                json[i] = org.nic.event.EventJson.toBytes(planner.plan("cmu-1", "file:" + copy, SlideIdentity.of(copy, "etag-1"),
                        slide, null).plan());
            }
        }
        assertThat(json[1]).isEqualTo(json[0]);
        String text = new String(json[0], java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("createdAt", "modified").contains("\"spacingSource\":\"openslide\"");

        // Other settings, another plan.
        SlidePlanner coarser = new SlidePlanner(new SlidePlanner.GridSettings(1.0, 128, 0.25, 0.01,
                TissueParameters.defaults()), "test");
        try (SlideReader slide = SlideReaders.installed().open(copy)) {
            byte[] other = org.nic.event.EventJson.toBytes(coarser.plan("cmu-1", "file:" + copy, SlideIdentity.of(copy, "etag-1"),
                    slide, null).plan());
            assertThat(other).isNotEqualTo(json[0]);
        }
    }
}
