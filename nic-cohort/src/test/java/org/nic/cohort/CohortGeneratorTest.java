package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Each slide draws its answers from a random source of its own, and those answers differ from slide to slide. */
class CohortGeneratorTest {

    @Test
    void neighbouringSlidesDrawIndependentFirstNumbers() {
        // A slide's first draw is its tumour fraction: over a cohort it must cover the range, not sit at one value.
        double[] first = new double[120];
        for (int i = 0; i < first.length; i++) {
            first[i] = CohortGenerator.slideRandom(2026, i).nextDouble();
        }
        double mean = Arrays.stream(first).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(first).map(v -> (v - mean) * (v - mean)).average().orElseThrow());
        assertThat(sd).as("uniform draws have sd 0.289").isGreaterThan(0.24);
        assertThat(Arrays.stream(first).min().orElseThrow()).isLessThan(0.1);
        assertThat(Arrays.stream(first).max().orElseThrow()).isGreaterThan(0.9);
    }

    @Test
    void theSameSeedAndSlideGiveTheSameNumbers() {
        assertThat(CohortGenerator.slideRandom(7, 3).nextLong()).isEqualTo(CohortGenerator.slideRandom(7, 3).nextLong());
        assertThat(CohortGenerator.slideRandom(7, 3).nextLong()).isNotEqualTo(CohortGenerator.slideRandom(8, 3).nextLong());
    }

    @Test
    void testPatientsMayNotAlsoPaintTrainingSlides() {
        java.nio.file.Path dir = java.nio.file.Path.of("unused");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CohortGenerator.Settings(1, 4, 2, 1024, 0, 1024, dir, dir,
                        java.util.Set.of(1, 3, 4), java.util.Set.of(4, 6), CohortGenerator.Patterns.BORDER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
        assertThat(new CohortGenerator.Settings(1, 4, 2, 1024, 0, 1024, dir, dir, java.util.Set.of(1, 3, 4),
                java.util.Set.of(6, 7), CohortGenerator.Patterns.BORDER).testSources()).containsExactlyInAnyOrder(6, 7);
        assertThat(new CohortGenerator.Settings(1, 4, 2, 1024, 0, 1024, dir, dir).trainSources())
                .isEqualTo(CohortGenerator.TRAIN_SOURCES);
    }
}
