package org.nic.stats;

import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * The one quantile rule of NIC's statistics (the publish gate's bootstrap bounds, the cohort's intervals): linear
 * interpolation between order statistics, position {@code q (n - 1)} (Hyndman and Fan's type 7, R's and numpy's
 * default), computed by commons-math3. Non-finite values are left out (a resample where a metric is undefined).
 */
public final class Quantiles {

    private Quantiles() {
    }

    /** The q-quantile (0 <= q <= 1) of the finite values; NaN when there are none. */
    public static double of(double[] values, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile " + q + " is outside [0, 1]");
        }
        double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
        if (finite.length == 0) {
            return Double.NaN;
        }
        if (q == 0) {
            return Arrays.stream(finite).min().getAsDouble();
        }
        return new Percentile().withEstimationType(Percentile.EstimationType.R_7).evaluate(finite, q * 100);
    }
}
