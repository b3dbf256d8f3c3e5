package org.nic.trainer.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.nic.event.LabelRecorded;

/**
 * The current label of every (slide, task), rebuilt at start from the compacted label topic, and how many
 * labels each task gained since its last training run.
 */
@ApplicationScoped
public class LabelStore {

    private final Map<String, LabelRecorded> labels = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> fresh = new ConcurrentHashMap<>();

    /** Records a label; returns the task's count of new labels since its last run. */
    public int put(LabelRecorded label) {
        labels.put(label.key(), label);
        return fresh.computeIfAbsent(label.task(), t -> new AtomicInteger()).incrementAndGet();
    }

    public List<LabelRecorded> forTask(String task) {
        return labels.values().stream().filter(l -> l.task().equals(task))
                .sorted(java.util.Comparator.comparing(LabelRecorded::slideId)).toList();
    }

    public int newLabels(String task) {
        AtomicInteger n = fresh.get(task);
        return n == null ? 0 : n.get();
    }

    /** Called when a run of the task starts: labels from now on are new again. */
    public void markTrained(String task) {
        fresh.computeIfAbsent(task, t -> new AtomicInteger()).set(0);
    }
}
