package org.nic.model;

/** The kinds of slide-level task NIC's heads learn. */
public enum TaskKind {
    /** A number (e.g. a proliferation score); metric Spearman. */
    REGRESSION,
    /** One of several classes; metric AUC (macro one-vs-rest for more than two). */
    CLASSIFICATION,
    /** Time to an event, possibly censored; the head outputs a log-risk; metric Harrell's C-index. */
    SURVIVAL
}
