package org.nic.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nic.model.TaskKind;

/**
 * The one metric dispatcher of the trainer and the cohort, against reference values computed elsewhere (SciPy 1.10.1
 * on Debian 12: {@code scipy.stats.spearmanr}; AUC as {@code mannwhitneyu(...).statistic / (n1 n0)}; Harrell's C-index
 * by a brute-force Python loop over ordered pairs), written in here.
 */
class TaskMetricTest {

    static final double[] X = {0.31, 0.12, 0.12, 0.77, 0.45, 0.90, 0.05, 0.45, 0.66, 0.23};
    static final double[] Y = {2.0, 1.0, 1.5, 3.5, 2.0, 4.0, 0.5, 2.5, 3.0, 1.0};

    static double[][] column(double... v) {
        double[][] out = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            out[i] = new double[] {v[i]};
        }
        return out;
    }

    static int[] all(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    @Test
    void spearmanWithTiesAndOnABootstrapSampleWithRepeats() {
        TaskMetric.Truth truth = new TaskMetric.Truth() {
            @Override
            public double value(int i) {
                return Y[i];
            }
        };
        assertThat(TaskMetric.of(TaskKind.REGRESSION, 0, column(X), truth, all(10))).isCloseTo(0.9631901840490799, within(1e-12));
        assertThat(TaskMetric.of(TaskKind.REGRESSION, 0, column(X), truth, new int[] {0, 0, 3, 5, 7, 9, 9, 2}))
                .isCloseTo(0.926829268292683, within(1e-12));
    }

    @Test
    void binaryAucFromTheSecondClassProbabilityWithATie() {
        int[] labels = {0, 1, 0, 1, 1, 0, 1, 0, 0, 1};
        TaskMetric.Truth truth = new TaskMetric.Truth() {
            @Override
            public int classIndex(int i) {
                return labels[i];
            }
        };
        double[][] p = column(0.2, 0.8, 0.35, 0.35, 0.9, 0.1, 0.6, 0.55, 0.4, 0.7);
        assertThat(TaskMetric.of(TaskKind.CLASSIFICATION, 2, p, truth, all(10))).isCloseTo(0.9, within(1e-12));
        assertThat(TaskMetric.of(TaskKind.CLASSIFICATION, 2, p, truth, new int[] {0, 2, 5})).as("one class only").isNaN();
    }

    @Test
    void macroAucOverThreeClasses() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.3, 0.6}, {0.4, 0.4, 0.2}, {0.3, 0.3, 0.4}, {0.6, 0.1, 0.3},
                {0.2, 0.6, 0.2}, {0.1, 0.2, 0.7}};
        int[] labels = {0, 1, 2, 0, 2, 1, 1, 2};
        TaskMetric.Truth truth = new TaskMetric.Truth() {
            @Override
            public int classIndex(int i) {
                return labels[i];
            }
        };
        assertThat(TaskMetric.of(TaskKind.CLASSIFICATION, 3, p, truth, all(8))).isCloseTo(0.861111111111111, within(1e-12));
    }

    @Test
    void harrellsCIndexWithCensoringTiedTimesAndTiedRisks() {
        double[] time = {5.0, 10.0, 7.0, 2.0, 12.0, 7.0, 3.0, 9.0};
        boolean[] event = {true, false, true, true, false, true, true, false};
        TaskMetric.Truth truth = new TaskMetric.Truth() {
            @Override
            public double time(int i) {
                return time[i];
            }

            @Override
            public boolean event(int i) {
                return event[i];
            }
        };
        double[][] risk = column(1.2, 0.3, 0.3, 2.0, -0.5, 0.8, 1.5, 0.0);
        assertThat(TaskMetric.of(TaskKind.SURVIVAL, 0, risk, truth, all(8))).isCloseTo(0.9791666666666666, within(1e-12));
        assertThat(TaskMetric.of(TaskKind.SURVIVAL, 0, risk, truth, new int[] {1, 4, 7})).as("no event: no comparable pair")
                .isNaN();
    }

    /** A slide of a list, as the trainer's labels and the cohort's slides are. */
    private record Slide(double time, boolean event, String cls) {
    }

    @Test
    void truthOfAListReadsEachSlideByTheKindsAccessor() {
        double[] time = {5.0, 10.0, 7.0, 2.0, 12.0, 7.0, 3.0, 9.0};
        boolean[] event = {true, false, true, true, false, true, true, false};
        java.util.List<Slide> slides = new java.util.ArrayList<>();
        for (int i = 0; i < time.length; i++) {
            slides.add(new Slide(time[i], event[i], i % 2 == 0 ? "low" : "high"));
        }
        TaskMetric.Truth truth = TaskMetric.Truth.of(slides, x -> {
            throw new AssertionError("survival reads no value");
        }, x -> x.cls().equals("high") ? 1 : 0, Slide::time, Slide::event);
        double[][] risk = column(1.2, 0.3, 0.3, 2.0, -0.5, 0.8, 1.5, 0.0);
        assertThat(TaskMetric.of(TaskKind.SURVIVAL, 0, risk, truth, all(8))).isCloseTo(0.9791666666666666, within(1e-12));
        // Classes alternate low, high: every "high" slide outranks three of the four "low" ones (not the one at 0.95).
        double[][] p = column(0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.95, 0.6);
        assertThat(TaskMetric.of(TaskKind.CLASSIFICATION, 2, p, truth, all(8))).isCloseTo(0.75, within(1e-12));
    }
}
