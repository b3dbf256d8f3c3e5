package org.nic.cohort;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/** Percentile bootstrap intervals of a slide-level metric over the test slides. */
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
        double[] sorted = Arrays.copyOf(values, k);
        Arrays.sort(sorted);
        if (k == 0) {
            return new Interval(value, Double.NaN, Double.NaN);
        }
        return new Interval(value, sorted[(int) Math.floor(0.025 * (k - 1))], sorted[(int) Math.ceil(0.975 * (k - 1))]);
    }
}
