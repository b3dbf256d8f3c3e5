package org.nic.trainer.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.nic.event.LabelRecorded;

/**
 * The current label of every (slide, task), rebuilt at start from the compacted label topic; which labelled
 * slides have a grid; and which labels each task's last run covered, so that a label counts as new once: the
 * same label read again (a restart re-reads the whole topic) or its slide's grid announced again is not new.
 */
@ApplicationScoped
public class LabelStore {

    private final Map<String, LabelRecorded> labels = new ConcurrentHashMap<>();
    private final Set<String> gridded = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, LabelRecorded>> covered = new ConcurrentHashMap<>();

    /** Records a label; true when it is new or changed, false when it is the label already held. */
    public boolean put(LabelRecorded label) {
        return !label.equals(labels.put(label.key(), label));
    }

    /** The slide's grid exists; returns the tasks with a label on it, none when the grid was already known. */
    public Set<String> gridArrived(String slideId) {
        if (!gridded.add(slideId)) {
            return Set.of();
        }
        return labels.values().stream().filter(l -> l.slideId().equals(slideId)).map(LabelRecorded::task)
                .collect(Collectors.toSet());
    }

    public boolean hasGrid(String slideId) {
        return gridded.contains(slideId);
    }

    public List<LabelRecorded> forTask(String task) {
        return labels.values().stream().filter(l -> l.task().equals(task))
                .sorted(Comparator.comparing(LabelRecorded::slideId)).toList();
    }

    /** Labels of the task that its last run did not cover (new, or changed since) and whose slide has a grid. */
    public int newTrainable(String task) {
        Map<String, LabelRecorded> done = covered.getOrDefault(task, Map.of());
        return (int) labels.values().stream().filter(l -> l.task().equals(task) && !l.equals(done.get(l.key()))
                && gridded.contains(l.slideId())).count();
    }

    /** A run of the task starts on these labels: they are not new any more (labels still without a grid stay new). */
    public void markTrained(String task, Collection<LabelRecorded> used) {
        Map<String, LabelRecorded> done = new ConcurrentHashMap<>();
        used.forEach(l -> done.put(l.key(), l));
        covered.put(task, done);
    }
}
