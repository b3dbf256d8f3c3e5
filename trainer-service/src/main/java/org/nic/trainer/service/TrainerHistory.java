package org.nic.trainer.service;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import org.nic.event.Topics;
import org.nic.service.messaging.TopicCatchUp;

/**
 * What the trainer knows from its topics, read from the beginning at every start: the labels, the active heads
 * and its own decisions. A run waits until all three are read as far as they reached at start, so that a
 * restart neither trains on half the labels, nor judges a head against no champion, nor repeats a run that its
 * last decision already covered.
 */
@ApplicationScoped
public class TrainerHistory {

    private final TopicCatchUp labels;
    private final TopicCatchUp heads;
    private final TopicCatchUp decisions;

    public TrainerHistory(KafkaClientService kafka) {
        this.labels = new TopicCatchUp(kafka, "label-recorded", Topics.LABEL_RECORDED);
        this.heads = new TopicCatchUp(kafka, "active-heads", Topics.MODEL_PUBLISHED);
        this.decisions = new TopicCatchUp(kafka, "decisions", Topics.MODEL_DECIDED);
    }

    public TopicCatchUp labels() {
        return labels;
    }

    public TopicCatchUp heads() {
        return heads;
    }

    public TopicCatchUp decisions() {
        return decisions;
    }

    /** Waits until the three topics are read as far as they reached at start, at most {@code timeout} each. */
    public boolean await(Duration timeout) throws InterruptedException {
        for (TopicCatchUp t : List.of(labels, heads, decisions)) {
            if (!t.await(timeout)) {
                return false;
            }
        }
        return true;
    }
}
