package org.nic.label;

import java.util.Map;
import java.util.Optional;
import org.nic.event.LabelRecorded;
import org.nic.storage.StorageLayout;

/** Says why a label must not be trained on, or nothing when it is fine. */
public final class LabelValidator {

    private final Map<String, TaskDefinition> tasks;

    public LabelValidator(Map<String, TaskDefinition> tasks) {
        this.tasks = Map.copyOf(tasks);
    }

    public Optional<String> problem(LabelRecorded label) {
        if (!StorageLayout.isValidSlideId(label.slideId())) {
            return Optional.of("invalid slide id " + label.slideId());
        }
        TaskDefinition task = tasks.get(label.task());
        if (task == null) {
            return Optional.of("unknown task " + label.task() + " (declared: " + tasks.keySet() + ")");
        }
        return switch (task.kind()) {
            case REGRESSION -> label.value() == null || !Double.isFinite(label.value())
                    ? Optional.of("task " + task.name() + " needs a finite value, got " + label.value())
                    : Optional.empty();
            case CLASSIFICATION -> label.label() == null || !task.classes().contains(label.label())
                    ? Optional.of("task " + task.name() + ": class " + label.label() + " is not one of " + task.classes())
                    : Optional.empty();
            case SURVIVAL -> {
                if (label.time() == null || !Double.isFinite(label.time()) || label.time() < 0) {
                    yield Optional.of("task " + task.name() + " needs a survival time >= 0, got " + label.time());
                }
                yield label.event() == null
                        ? Optional.of("task " + task.name() + " needs event true or false (false = censored)")
                        : Optional.empty();
            }
        };
    }
}
