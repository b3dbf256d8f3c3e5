package org.nic.cohort;

import org.nic.model.TaskKind;

/** The cohort's three slide-level tasks, as the trainer knows them. */
public enum CohortTask {
    TUMOUR_FRACTION("tumour-fraction", TaskKind.REGRESSION, "Spearman"),
    GROWTH_PATTERN("growth-pattern", TaskKind.CLASSIFICATION, "AUC"),
    OVERALL_SURVIVAL("overall-survival", TaskKind.SURVIVAL, "C-index");

    private final String task;
    private final TaskKind kind;
    private final String metric;

    CohortTask(String task, TaskKind kind, String metric) {
        this.task = task;
        this.kind = kind;
        this.metric = metric;
    }

    public String task() {
        return task;
    }

    public TaskKind kind() {
        return kind;
    }

    /** Classes of a classification head (the cohort's pattern family), 0 for the others. */
    public int classes(CohortGenerator.Patterns family) {
        return this == GROWTH_PATTERN ? family.patterns().size() : 0;
    }

    public String metric() {
        return metric;
    }
}
