package org.nic.event;

/**
 * A slide's label for one task, from pathologists, trials or registries. Topic
 * {@link Topics#LABEL_RECORDED} (compacted), key = {@code slideId + "/" + task}: the latest label per slide
 * and task is the truth.
 *
 * @param slideId the slide
 * @param caseId case or patient id: slides of one case stay on one side of the held-out split
 * @param task task name, declared in the trainer's configuration
 * @param value regression target
 * @param label class name (classification)
 * @param time survival time (survival), not negative
 * @param event whether the event happened at {@code time} (survival); false = censored
 * @param source who or what gave the label
 */
public record LabelRecorded(String slideId, String caseId, String task, Double value, String label, Double time,
                            Boolean event, String source) {

    /** The compacted topic's key. */
    public String key() {
        return slideId + "/" + task;
    }
}
