package org.nic.stats;

import org.nic.model.TaskKind;

/**
 * A task's slide-level metric of a head's per-slide outputs: Spearman for regression (output 0: the value), ROC AUC for
 * classification (two classes: output 0 is P(second class); more: the class probabilities, macro one-vs-rest) and
 * Harrell's C-index for survival (output 0: the log-risk). The one dispatcher of the trainer's gate and the cohort's
 * evaluation, so that both judge a head by the same numbers.
 */
public final class TaskMetric {

    private TaskMetric() {
    }

    /** The truth of slide {@code i}, as the task's kind reads it. */
    public interface Truth {
        /** Regression: the value. */
        default double value(int i) {
            throw new UnsupportedOperationException("no value");
        }

        /** Classification: the class's index. */
        default int classIndex(int i) {
            throw new UnsupportedOperationException("no class");
        }

        /** Survival: the time (of the event, or of censoring). */
        default double time(int i) {
            throw new UnsupportedOperationException("no time");
        }

        /** Survival: whether the event happened at {@link #time}. */
        default boolean event(int i) {
            throw new UnsupportedOperationException("no event");
        }

        /**
         * The truth of a list of slides, read from each by the task kind's accessor (only the one its kind needs is
         * called, so the others may fail for that kind's slides).
         */
        static <T> Truth of(java.util.List<T> slides, java.util.function.ToDoubleFunction<T> value,
                            java.util.function.ToIntFunction<T> classIndex, java.util.function.ToDoubleFunction<T> time,
                            java.util.function.Predicate<T> event) {
            return new Truth() {
                @Override
                public double value(int i) {
                    return value.applyAsDouble(slides.get(i));
                }

                @Override
                public int classIndex(int i) {
                    return classIndex.applyAsInt(slides.get(i));
                }

                @Override
                public double time(int i) {
                    return time.applyAsDouble(slides.get(i));
                }

                @Override
                public boolean event(int i) {
                    return event.test(slides.get(i));
                }
            };
        }
    }

    /**
     * The metric on the slides {@code sample} (indices into {@code outputs} and {@code truth}, repeats allowed: a
     * bootstrap resample); NaN where it is undefined (one class only, no comparable pair, fewer than 2 slides).
     *
     * @param classes the classification task's class count (0 for the other kinds)
     */
    public static double of(TaskKind kind, int classes, double[][] outputs, Truth truth, int[] sample) {
        int n = sample.length;
        try {
            switch (kind) {
                case REGRESSION -> {
                    double[] p = new double[n];
                    double[] y = new double[n];
                    for (int k = 0; k < n; k++) {
                        p[k] = outputs[sample[k]][0];
                        y[k] = truth.value(sample[k]);
                    }
                    return SlideMetrics.spearman(p, y);
                }
                case CLASSIFICATION -> {
                    if (classes == 2) {
                        double[] p = new double[n];
                        boolean[] positive = new boolean[n];
                        for (int k = 0; k < n; k++) {
                            p[k] = outputs[sample[k]][0];
                            positive[k] = truth.classIndex(sample[k]) == 1;
                        }
                        return SlideMetrics.auc(p, positive);
                    }
                    double[][] p = new double[n][];
                    int[] y = new int[n];
                    for (int k = 0; k < n; k++) {
                        p[k] = outputs[sample[k]];
                        y[k] = truth.classIndex(sample[k]);
                    }
                    return SlideMetrics.macroAuc(p, y);
                }
                default -> {
                    double[] risk = new double[n];
                    double[] time = new double[n];
                    boolean[] event = new boolean[n];
                    for (int k = 0; k < n; k++) {
                        risk[k] = outputs[sample[k]][0];
                        time[k] = truth.time(sample[k]);
                        event[k] = truth.event(sample[k]);
                    }
                    return SlideMetrics.concordanceIndex(risk, time, event);
                }
            }
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }
}
