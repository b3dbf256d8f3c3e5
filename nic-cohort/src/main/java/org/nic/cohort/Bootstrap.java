package org.nic.cohort;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap intervals of a slide-level metric over the test slides, with NIC's one quantile rule
 * ({@link org.nic.stats.Quantiles}, the publish gate's too; until 2026-12-07 this class took the order statistics
 * below and above instead, which made intervals up to one order statistic wider).
 */
public final class Bootstrap {

    /** A metric with its 95% interval. */
    public record Interval(double value, double lower, double upper) {
        @Override
        public String toString() {
            return Double.isNaN(value) ? "n/a" : String.format("%.3f [%.3f, %.3f]", value, lower, upper);
        }
    }

    private Bootstrap() {
    }

    /**
     * @param n test slides
     * @param metric the metric on a resample (indices into the slides, with repeats); NaN where undefined
     */
    public static Interval of(int n, ToDoubleFunction<int[]> metric, int resamples, long seed) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        double value = metric.applyAsDouble(all);
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[resamples];
        int k = 0;
        int[] sample = new int[n];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                sample[i] = random.nextInt(n);
            }
            double v = metric.applyAsDouble(sample);
            if (Double.isFinite(v)) {
                values[k++] = v;
            }
        }
        double[] finite = Arrays.copyOf(values, k);
        return new Interval(value, org.nic.stats.Quantiles.of(finite, 0.025), org.nic.stats.Quantiles.of(finite, 0.975));
    }
}
