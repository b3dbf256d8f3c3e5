package org.nic.cohort;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nic.grid.CompressedGrid;
import org.nic.stats.Bootstrap;
import org.nic.stats.Quantiles;

/**
 * Heads trained on one encoder's grids, judged on another encoder's grids of the same test slides (e.g. the float
 * encoder's heads on its INT8 twin's grids): each task's metric on both, and the paired bootstrap interval of the
 * difference (the same resamples of slides for both), so that "within the interval" is a number, not a hope. Also the
 * cosine between the two encoders' codes of every tissue cell.
 */
public final class HeadsAcrossEncoders {

    /**
     * One task.
     *
     * @param own the heads on the grids they were trained on
     * @param other the same heads on the other encoder's grids
     * @param difference other - own, with the paired bootstrap interval
     */
    public record Row(CohortTask task, String headVersion, Bootstrap.Interval own, Bootstrap.Interval other,
                      Bootstrap.Interval difference) {

        /** Whether the metric on the other grids lies within the own grids' 95% interval. */
        public boolean withinOwnInterval() {
            return other.value() >= own.lower() && other.value() <= own.upper();
        }
    }

    /** Cosine between the two encoders' codes over the tissue cells both grids have. */
    public record Cosines(int cells, double mean, double min, double percentile1) { }

    private HeadsAcrossEncoders() {
    }

    /**
     * @param own per-slide outputs of the heads on their own encoder's grids ({@link CohortRunner#scores} form)
     * @param other the same on the other encoder's grids, in the same slide order
     */
    public static Row compare(CohortTask task, String headVersion, double[][] own, double[][] other,
                              List<CohortGenerator.Slide> test, CohortEvaluation.Settings s) {
        if (own.length != test.size() || other.length != test.size()) {
            throw new IllegalArgumentException("scores of " + own.length + " and " + other.length + " slides for " + test.size());
        }
        CohortGenerator.Patterns family = task == CohortTask.GROWTH_PATTERN ? CohortGenerator.Patterns.of(test) : null;
        Bootstrap.Interval difference = Bootstrap.of(test.size(), sample -> CohortEvaluation.metric(task, family, other, test, sample)
                - CohortEvaluation.metric(task, family, own, test, sample), s.resamples(), s.seed());
        return new Row(task, headVersion, CohortEvaluation.interval(task, own, test, s),
                CohortEvaluation.interval(task, other, test, s), difference);
    }

    /** Per-cell cosines of the codes of grids {@code a.get(i)} and {@code b.get(i)} (same slide, same shape). */
    public static Cosines cosines(List<CompressedGrid> a, List<CompressedGrid> b) {
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            CompressedGrid x = a.get(i);
            CompressedGrid y = b.get(i);
            if (x.rows() != y.rows() || x.cols() != y.cols() || x.channels() != y.channels()) {
                throw new IllegalArgumentException("grids of slide " + x.slideId() + " differ in shape");
            }
            int cells = x.rows() * x.cols();
            for (int k = 0; k < cells; k++) {
                if (!x.tissue()[k] || !y.tissue()[k]) {
                    continue;
                }
                double dot = 0;
                double nx = 0;
                double ny = 0;
                for (int c = 0; c < x.channels(); c++) {
                    double u = x.codes()[c * cells + k];
                    double v = y.codes()[c * cells + k];
                    dot += u * v;
                    nx += u * u;
                    ny += v * v;
                }
                all.add(nx == 0 || ny == 0 ? (nx == ny ? 1.0 : 0.0) : dot / Math.sqrt(nx * ny));
            }
        }
        double[] v = all.stream().mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return new Cosines(0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Cosines(v.length, Arrays.stream(v).average().orElseThrow(), Arrays.stream(v).min().orElseThrow(),
                Quantiles.of(v, 0.01));
    }

    /** The comparison as a markdown table. */
    public static String markdown(String headsOf, String gridsOf, List<Row> rows, Cosines cosines, int slides) {
        StringBuilder md = new StringBuilder();
        md.append(String.format("Heads of `%s` (the live system's) on %d test slides: on their own grids and on `%s`'s%n%n",
                headsOf, slides, gridsOf));
        md.append(String.format("| task | head | on `%s` grids | on `%s` grids | difference [paired 95%%] | within the own interval |%n",
                headsOf, gridsOf));
        md.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format("| %s (%s) | %s | %s | %s | %+.3f [%+.3f, %+.3f] | %s |%n", r.task().task(),
                    r.task().metric(), r.headVersion(), r.own(), r.other(), r.difference().value(),
                    r.difference().lower(), r.difference().upper(), r.withinOwnInterval() ? "yes" : "**no**"));
        }
        md.append(String.format("%nCodes: cosine between `%s` and `%s` over %d tissue cells: mean %.4f, 1st percentile %.4f,"
                + " min %.4f.%n", headsOf, gridsOf, cosines.cells(), cosines.mean(), cosines.percentile1(), cosines.min()));
        return md.toString();
    }
}
