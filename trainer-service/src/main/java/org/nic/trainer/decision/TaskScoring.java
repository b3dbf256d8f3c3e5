package org.nic.trainer.decision;

import java.util.List;
import org.nic.event.LabelRecorded;
import org.nic.label.TaskDefinition;
import org.nic.model.TaskKind;
import org.nic.stats.TaskMetric;
import org.nic.training.head.HeadLabel;

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

    /**
     * The task's metric of per-slide outputs on the slides {@code sample} (indices, repeats allowed); NaN when undefined
     * ({@link TaskMetric}, the cohort's evaluation's too).
     */
    public static double metric(TaskDefinition def, double[][] predicted, List<LabelRecorded> truth, int[] sample) {
        return TaskMetric.of(def.kind(), def.classes().size(), predicted, TaskMetric.Truth.of(truth, LabelRecorded::value,
                l -> def.classes().indexOf(l.label()), LabelRecorded::time, LabelRecorded::event), sample);
    }

    /** The indices 0 .. n-1: every slide once. */
    public static int[] all(int n) {
        int[] a = new int[n];
        java.util.Arrays.setAll(a, i -> i);
        return a;
    }
}
