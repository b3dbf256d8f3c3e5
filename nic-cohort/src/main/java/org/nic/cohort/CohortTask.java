package org.nic.cohort;

import java.util.List;
import org.nic.model.TaskKind;

/** The cohort's three slide-level tasks, as the trainer knows them. */
public enum CohortTask {
    TUMOUR_FRACTION("tumour-fraction", TaskKind.REGRESSION, List.of(), "Spearman"),
    GROWTH_PATTERN("growth-pattern", TaskKind.CLASSIFICATION, List.of("compact", "scattered"), "AUC"),
    OVERALL_SURVIVAL("overall-survival", TaskKind.SURVIVAL, List.of(), "C-index");

    private final String task;
    private final TaskKind kind;
    private final List<String> classes;
    private final String metric;

    CohortTask(String task, TaskKind kind, List<String> classes, String metric) {
        this.task = task;
        this.kind = kind;
        this.classes = classes;
        this.metric = metric;
    }

    public String task() {
        return task;
    }

    public TaskKind kind() {
        return kind;
    }

    public List<String> classes() {
        return classes;
    }

    public String metric() {
        return metric;
    }

    /** -D settings that declare the task to the trainer service. */
    public String trainerSettings() {
        String s = "-Dnic.tasks." + task + ".kind=" + kind.name();
        return classes.isEmpty() ? s : s + " -Dnic.tasks." + task + ".classes=" + String.join(",", classes);
    }
}
