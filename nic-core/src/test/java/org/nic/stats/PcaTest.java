package org.nic.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The axes against NumPy 1.24's {@code numpy.linalg.eigh} of the same covariance (the sample covariance of six
 * 3-channel codes), each signed so its largest loading is positive, written in here.
 */
class PcaTest {

    static final double[][] COVARIANCE = {{0.875, -0.5, 0.6}, {-0.5, 0.5, -0.3}, {0.6, -0.3, 0.5}};

    @Test
    void axesInOrderOfVarianceSignedByTheirLargestLoading() {
        double[][] axes = Pca.axes(COVARIANCE, 3);
        double[][] numpy = {
            {0.7242389979235766, -0.4613795787929008, 0.5124517130028338},
            {0.1821204241991452, 0.8447680592885498, 0.5031889079613946},
            {-0.6650639254809848, -0.2711011071145646, 0.6958406173435701}};
        for (int a = 0; a < 3; a++) {
            for (int ch = 0; ch < 3; ch++) {
                assertThat(axes[a][ch]).as("axis %d, loading %d", a, ch).isCloseTo(numpy[a][ch], within(1e-9));
            }
        }
    }

    @Test
    void axesTheMatrixDoesNotHaveAreZero() {
        double[][] axes = Pca.axes(new double[][] {{2, 0}, {0, 0}}, 3);
        assertThat(axes[0]).containsExactly(1.0, 0.0);
        assertThat(axes[1]).containsExactly(0.0, 0.0);
        assertThat(axes[2]).containsExactly(0.0, 0.0);
    }
}
