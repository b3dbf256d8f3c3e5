package org.nic.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether a newly trained head (challenger) replaces the active one (champion), judged on the same
 * held-out slides by a paired bootstrap: slides are resampled with replacement {@code resamples} times, both
 * heads scored on each resample, and the challenger is published only when the lower bound of its gain
 * (the {@code 1 - level} quantile, one-sided) is above zero. A first head is judged the same way against
 * the trivial predictor (its metric is a constant: Spearman 0, AUC 0.5, C-index 0.5). A point estimate
 * that beats the champion on a handful of slides therefore publishes nothing: its interval says so.
 */
public final class PublishGate {

    /** Scores both heads on a resample of the held-out slides (indices, with repeats): {challenger, champion}. */
    @FunctionalInterface
    public interface PairedMetric {
        double[] score(int[] slides);
    }

    /**
     * The decision and its evidence, for logs, cards and the model-published event.
     *
     * @param publish whether the challenger is published
     * @param reason one line saying why
     * @param metric the challenger's metric on all held-out slides
     * @param metricLower lower end of its two-sided {@code level} bootstrap interval
     * @param metricUpper upper end of that interval
     * @param gain challenger minus champion (or baseline) on all held-out slides
     * @param gainLower one-sided {@code level} lower bound of the gain
     */
    public record Decision(boolean publish, String reason, double metric, double metricLower, double metricUpper, double gain,
                           double gainLower) { }

    private final double level;
    private final int resamples;
    private final int minHeldOut;
    private final long seed;

    /**
     * @param level confidence level, e.g. 0.95
     * @param resamples bootstrap resamples, e.g. 2000
     * @param minHeldOut fewest held-out slides worth judging on
     * @param seed seed of the resampling (the same data give the same decision)
     */
    public PublishGate(double level, int resamples, int minHeldOut, long seed) {
        this.level = level;
        this.resamples = resamples;
        this.minHeldOut = minHeldOut;
        this.seed = seed;
    }

    public double level() {
        return level;
    }

    /**
     * @param n held-out slides
     * @param metric both heads' scores on a resample (for a first head, the champion is the trivial baseline)
     * @param against {@code champion} or {@code baseline}, for the reason
     */
    public Decision decide(int n, PairedMetric metric, String against) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        double[] full = n == 0 ? new double[] {Double.NaN, Double.NaN} : metric.score(all);
        if (n < minHeldOut) {
            return new Decision(false, "only " + n + " held-out slides, " + minHeldOut + " needed", full[0], Double.NaN,
                    Double.NaN, full[0] - full[1], Double.NaN);
        }
        if (!Double.isFinite(full[0]) || !Double.isFinite(full[1])) {
            return new Decision(false, "the metric is not defined on the held-out slides (one class only?)", full[0],
                    Double.NaN, Double.NaN, full[0] - full[1], Double.NaN);
        }
        List<Double> metrics = new ArrayList<>();
        List<Double> gains = new ArrayList<>();
        int undefined = 0;
        for (double[] s : Bootstrap.resampled(n, resamples, seed, metric::score)) {
            if (!Double.isFinite(s[0]) || !Double.isFinite(s[1])) {
                undefined++; // e.g. a resample with one class: no AUC
                continue;
            }
            metrics.add(s[0]);
            gains.add(s[0] - s[1]);
        }
        if (undefined > resamples / 10) {
            return new Decision(false, String.format("the metric is undefined on %d of %d resamples of %d held-out slides: too"
                    + " few slides of a class", undefined, resamples, n), full[0], Double.NaN, Double.NaN, full[0] - full[1],
                    Double.NaN);
        }
        double alpha = 1 - level;
        double metricLower = quantile(metrics, alpha / 2);
        double metricUpper = quantile(metrics, 1 - alpha / 2);
        double gain = full[0] - full[1];
        double gainLower = quantile(gains, alpha);
        boolean publish = gainLower > 0;
        String reason = String.format("gain over the %s %.4f, one-sided %.0f%% lower bound %.4f (paired bootstrap, %d"
                        + " resamples of %d held-out slides; metric %.4f, %.0f%% interval %.4f-%.4f): %s", against, gain,
                level * 100, gainLower, resamples - undefined, n, full[0], level * 100, metricLower, metricUpper,
                publish ? "published" : "not published, the gain may be chance");
        return new Decision(publish, reason, full[0], metricLower, metricUpper, gain, gainLower);
    }

    /** The q-quantile ({@link org.nic.stats.Quantiles}: NIC's one rule). */
    static double quantile(List<Double> values, double q) {
        return org.nic.stats.Quantiles.of(values.stream().mapToDouble(Double::doubleValue).toArray(), q);
    }
}
