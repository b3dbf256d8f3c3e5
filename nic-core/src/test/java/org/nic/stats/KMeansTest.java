package org.nic.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The k-means that starts a head's cell types finds well-separated clusters and measures their spread. */
class KMeansTest {

    @Test
    void findsThreeSeparatedBlobs() {
        float[][] truth = {{0, 0}, {10, 0}, {0, 10}};
        Random r = new Random(3);
        List<float[]> points = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            float[] c = truth[i % 3];
            points.add(new float[] {(float) (c[0] + r.nextGaussian() * 0.5), (float) (c[1] + r.nextGaussian() * 0.5)});
        }
        float[][] centres = KMeans.cluster(points, 3, 25, new Random(1));
        for (float[] t : truth) {
            double nearest = Arrays.stream(centres).mapToDouble(c -> Math.hypot(c[0] - t[0], c[1] - t[1])).min().orElseThrow();
            assertThat(nearest).as("a centre near (%s, %s)", t[0], t[1]).isLessThan(0.3);
        }
        // Squared distance to the nearest centre: 2 dimensions of variance 0.25.
        assertThat(KMeans.meanNearestSquaredDistance(points, centres)).isCloseTo(0.5, within(0.12));
        assertThat(KMeans.nearestCentre(new float[] {9, 1}, centres)).isEqualTo(KMeans.nearestCentre(new float[] {10, 0}, centres));
    }
}
