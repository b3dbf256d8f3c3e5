package org.nic.training.head;

/**
 * A slide's label for one task.
 *
 * @param value regression target, or class index for classification
 * @param time survival time (survival only)
 * @param event whether the event happened at {@code time} (false: censored)
 */
public record HeadLabel(double value, double time, boolean event) {

    public static HeadLabel regression(double value) {
        return new HeadLabel(value, 0, false);
    }

    public static HeadLabel classification(int cls) {
        return new HeadLabel(cls, 0, false);
    }

    public static HeadLabel survival(double time, boolean event) {
        return new HeadLabel(0, time, event);
    }
}
