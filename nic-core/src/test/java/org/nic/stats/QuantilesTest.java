package org.nic.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Against numpy.percentile's default (linear, type 7), computed with numpy 1.24 and written here. */
class QuantilesTest {

    static final double[] V = {0.71, 0.64, 0.93, 0.88, 0.52, 0.77, 0.69, 0.81, 0.60, 0.95, 0.58};

    @Test
    void numpysLinearQuantiles() {
        assertThat(Quantiles.of(V, 0.025)).isCloseTo(0.535, within(1e-12));
        assertThat(Quantiles.of(V, 0.05)).isCloseTo(0.55, within(1e-12));
        assertThat(Quantiles.of(V, 0.5)).isCloseTo(0.71, within(1e-12));
        assertThat(Quantiles.of(V, 0.975)).isCloseTo(0.945, within(1e-12));
        assertThat(Quantiles.of(V, 1.0)).isCloseTo(0.95, within(1e-12));
        assertThat(Quantiles.of(new double[] {3, 1, 2}, 0.025)).isCloseTo(1.05, within(1e-12));
        assertThat(Quantiles.of(new double[] {3, 1, 2}, 0.975)).isCloseTo(2.95, within(1e-12));
    }

    @Test
    void undefinedValuesAreLeftOutAndNoneIsNaN() {
        assertThat(Quantiles.of(new double[] {3, Double.NaN, 1, 2, Double.POSITIVE_INFINITY}, 0.5)).isEqualTo(2.0);
        assertThat(Quantiles.of(new double[] {Double.NaN}, 0.5)).isNaN();
        assertThat(Quantiles.of(new double[] {4, 2}, 0)).isEqualTo(2.0);
        assertThatThrownBy(() -> Quantiles.of(V, 1.5)).hasMessageContaining("outside");
    }
}
