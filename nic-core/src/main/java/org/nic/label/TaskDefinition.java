package org.nic.label;

import java.util.List;
import org.nic.model.TaskKind;

/**
 * A slide-level task as the trainer's configuration declares it.
 *
 * @param name task name, e.g. {@code proliferation}
 * @param kind regression, classification or survival
 * @param classes class names in output order (classification)
 */
public record TaskDefinition(String name, TaskKind kind, List<String> classes) { }
