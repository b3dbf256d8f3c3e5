package org.nic.training.data;

import java.util.List;

/**
 * A patch-level training task.
 *
 * @param name task name, e.g. {@code lung-tissue}
 * @param kind classification or regression
 * @param classes class names in label order (empty for regression)
 * @param scale factor that brings the task's images to 0.5 um/px (e.g. 0.714 for LC25000's 224 px tiles)
 * @param weight weight of this task's loss in the sum
 * @param validationShare share of this task's groups held out for validation, or null for the run's default
 */
public record TaskSpec(String name, Kind kind, List<String> classes, double scale, double weight, Double validationShare) {

    /** This task's validation share, else {@code fallback}. */
    public double validationShare(double fallback) {
        return validationShare != null ? validationShare : fallback;
    }

    public enum Kind { CLASSIFICATION, REGRESSION }

    public int outputs() {
        return kind == Kind.CLASSIFICATION ? classes.size() : 1;
    }
}
