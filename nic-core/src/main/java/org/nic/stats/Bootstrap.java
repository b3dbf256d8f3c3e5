package org.nic.stats;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap intervals of a slide-level metric over the test slides (the cohort's), and the resampling the
 * publish gate shares, with NIC's one quantile rule
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
    /**
     * The resampling of both the publish gate and the cohort's intervals: {@code resamples} draws of {@code n} slide
     * indices with replacement from {@code SplittableRandom(seed)}, each scored by {@code metric} (the array it gets is
     * reused between draws).
     */
    public static double[][] resampled(int n, int resamples, long seed, java.util.function.Function<int[], double[]> metric) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] out = new double[resamples][];
        int[] sample = new int[n];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                sample[i] = random.nextInt(n);
            }
            out[b] = metric.apply(sample);
        }
        return out;
    }

    public static Interval of(int n, ToDoubleFunction<int[]> metric, int resamples, long seed) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        double value = metric.applyAsDouble(all);
        double[] finite = Arrays.stream(resampled(n, resamples, seed, sample -> new double[] {metric.applyAsDouble(sample)}))
                .mapToDouble(v -> v[0]).filter(Double::isFinite).toArray();
        return new Interval(value, org.nic.stats.Quantiles.of(finite, 0.025), org.nic.stats.Quantiles.of(finite, 0.975));
    }
}
