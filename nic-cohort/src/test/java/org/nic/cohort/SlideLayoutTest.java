package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Growth patterns differ in arrangement only: the same composition, a different arrangement. */
class SlideLayoutTest {

    @Test
    void compactAndScatteredTumourHaveTheSameCompositionAndDifferentArrangement() {
        double compactCohesion = 0;
        double scatteredCohesion = 0;
        double compactFraction = 0;
        double scatteredFraction = 0;
        int n = 20;
        for (int i = 0; i < n; i++) {
            SlideLayout compact = SlideLayout.generate(64, 64, 0.3, SlideLayout.Pattern.COMPACT, new Random(i));
            SlideLayout scattered = SlideLayout.generate(64, 64, 0.3, SlideLayout.Pattern.SCATTERED, new Random(i));
            assertThat(compact.tumourFraction()).isCloseTo(0.3, within(0.01));
            assertThat(scattered.tumourFraction()).isCloseTo(0.3, within(0.01));
            assertThat(compact.tissueCells()).as("same seed, same tissue").isEqualTo(scattered.tissueCells());
            assertThat(compact.at(0, 0)).isEqualTo(TissueClass.BACKGROUND);
            compactCohesion += compact.tumourCohesion() / n;
            scatteredCohesion += scattered.tumourCohesion() / n;
            compactFraction += compact.tumourFraction() / n;
            scatteredFraction += scattered.tumourFraction() / n;
            // The rest of the tissue is painted too, whatever the pattern.
            assertThat(compact.counts().get(TissueClass.LYMPHOCYTES)).isPositive();
            assertThat(scattered.counts().get(TissueClass.MUCOSA)).isPositive();
        }
        assertThat(compactFraction).isCloseTo(scatteredFraction, within(0.005));
        assertThat(compactCohesion).as("a compact region's tumour neighbours tumour").isGreaterThan(0.85);
        assertThat(scatteredCohesion).as("scattered tumour neighbours tumour about as often as its share").isLessThan(0.45);
    }

    @Test
    void aSeedGivesTheSameSlide() {
        SlideLayout a = SlideLayout.generate(40, 40, 0.2, SlideLayout.Pattern.SCATTERED, new Random(9));
        SlideLayout b = SlideLayout.generate(40, 40, 0.2, SlideLayout.Pattern.SCATTERED, new Random(9));
        for (int r = 0; r < 40; r++) {
            for (int c = 0; c < 40; c++) {
                assertThat(a.at(r, c)).isEqualTo(b.at(r, c));
            }
        }
    }

    @Test
    void desmoplasticReplacementAndMixedSlidesHaveExactlyTheSameCountsAndDifferOnlyAtTheBorder() {
        double[] rim = new double[3];
        int n = 20;
        for (int i = 0; i < n; i++) {
            SlideLayout d = SlideLayout.generate(64, 64, 0.15 + 0.25 * i / n, SlideLayout.Pattern.DESMOPLASTIC, new Random(i));
            SlideLayout r = SlideLayout.generate(64, 64, 0.15 + 0.25 * i / n, SlideLayout.Pattern.REPLACEMENT, new Random(i));
            SlideLayout m = SlideLayout.generate(64, 64, 0.15 + 0.25 * i / n, SlideLayout.Pattern.MIXED, new Random(i));
            assertThat(r.counts()).as("slide %d: the same class counts", i).isEqualTo(d.counts()).isEqualTo(m.counts());
            assertThat(d.counts().get(TissueClass.STROMA)).isPositive();
            assertThat(d.counts().get(TissueClass.LYMPHOCYTES)).isPositive();
            assertThat(d.counts().get(TissueClass.MUCOSA)).as("the parenchyma is the ground").isGreaterThan(d.tissueCells() / 4);
            assertThat(d.tumourCohesion()).as("one tumour mass").isGreaterThan(0.85);
            assertThat(r.tumourCohesion()).isEqualTo(d.tumourCohesion());
            rim[0] += d.rimShare() / n;
            rim[1] += m.rimShare() / n;
            rim[2] += r.rimShare() / n;
            assertThat(d.rimShare()).as("desmoplastic: stroma all round").isEqualTo(1.0);
            assertThat(r.rimShare()).as("replacement: parenchyma all round").isEqualTo(0.0);
        }
        assertThat(rim[1]).as("mixed: a rim along part of the border").isBetween(0.3, 0.7);
    }
}
