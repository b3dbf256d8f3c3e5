package org.nic.trainer.decision;

import java.util.List;
import org.nic.event.LabelRecorded;
import org.nic.label.TaskDefinition;
import org.nic.model.TaskKind;
import org.nic.training.head.HeadLabel;
import org.nic.training.metrics.SlideMetrics;

/** A task's metric, its name and its trivial baseline, and a label as the head trainer reads it. */
public final class TaskScoring {

    private TaskScoring() {
    }

    /** A metric of per-slide outputs on a resample of slides (indices, repeats allowed). */
    @FunctionalInterface
    public interface SampleMetric {
        double of(double[][] predicted, int[] sample);
    }

    public static String metricName(TaskKind kind) {
        return switch (kind) {
            case REGRESSION -> "spearman";
            case CLASSIFICATION -> "auc";
            case SURVIVAL -> "c-index";
        };
    }

    /** What a head that knows nothing scores: Spearman 0, AUC and C-index 0.5. */
    public static double baseline(TaskKind kind) {
        return kind == TaskKind.REGRESSION ? 0.0 : 0.5;
    }

    public static HeadLabel headLabel(TaskDefinition def, LabelRecorded l) {
        return switch (def.kind()) {
            case REGRESSION -> HeadLabel.regression(l.value());
            case CLASSIFICATION -> HeadLabel.classification(def.classes().indexOf(l.label()));
            case SURVIVAL -> HeadLabel.survival(l.time(), l.event());
        };
    }

    /** The task's metric of per-slide outputs on the slides {@code sample} (indices, repeats allowed); NaN when undefined. */
    public static double metric(TaskDefinition def, double[][] predicted, List<LabelRecorded> truth, int[] sample) {
        int n = sample.length;
        try {
            switch (def.kind()) {
                case REGRESSION -> {
                    double[] p = new double[n];
                    double[] y = new double[n];
                    for (int k = 0; k < n; k++) {
                        p[k] = predicted[sample[k]][0];
                        y[k] = truth.get(sample[k]).value();
                    }
                    return SlideMetrics.spearman(p, y);
                }
                case CLASSIFICATION -> {
                    int classes = def.classes().size();
                    double[][] p = new double[n][];
                    int[] y = new int[n];
                    for (int k = 0; k < n; k++) {
                        double[] out = predicted[sample[k]];
                        p[k] = classes > 2 ? out : new double[] {1 - out[0], out[0]};
                        y[k] = def.classes().indexOf(truth.get(sample[k]).label());
                    }
                    return SlideMetrics.macroAuc(p, y);
                }
                default -> {
                    double[] risk = new double[n];
                    double[] time = new double[n];
                    boolean[] event = new boolean[n];
                    for (int k = 0; k < n; k++) {
                        risk[k] = predicted[sample[k]][0];
                        time[k] = truth.get(sample[k]).time();
                        event[k] = truth.get(sample[k]).event();
                    }
                    return SlideMetrics.concordanceIndex(risk, time, event);
                }
            }
        } catch (IllegalArgumentException e) {
            return Double.NaN; // e.g. a single class among the slides
        }
    }

    /** The indices 0 .. n-1: every slide once. */
    public static int[] all(int n) {
        int[] a = new int[n];
        java.util.Arrays.setAll(a, i -> i);
        return a;
    }
}
