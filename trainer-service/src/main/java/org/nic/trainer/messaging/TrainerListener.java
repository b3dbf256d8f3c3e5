package org.nic.trainer.messaging;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.service.messaging.RecordPosition;
import org.nic.event.EventType;
import org.nic.event.InvalidEventException;
import org.nic.event.LabelRecorded;
import org.nic.event.ModelDecided;
import org.nic.event.ModelPublished;
import org.nic.event.SlideEncoded;
import org.nic.trainer.config.TrainerConfig;
import org.nic.trainer.service.HeadTrainingService;
import org.nic.trainer.service.LabelStore;
import org.nic.trainer.service.TrainerHistory;

/**
 * Labels in (the compacted topic, read whole at every start), grids announced by slide-encoded, the active
 * heads from model-published and the trainer's own decisions from model-decided (both read whole at start);
 * retrains a task once N labels with grids are new since its last run, and on a schedule when any are. A label
 * is new once: read again after a restart, or its grid announced again, it is not counted again.
 */
@ApplicationScoped
public class TrainerListener {

    private static final Logger LOG = Logger.getLogger(TrainerListener.class);

    private final HeadTrainingService training;
    private final LabelStore labels;
    private final TrainerConfig config;
    private final TrainerHistory history;

    private final io.micrometer.core.instrument.MeterRegistry metrics;

    public TrainerListener(HeadTrainingService training, LabelStore labels, TrainerConfig config, TrainerHistory history,
                           io.micrometer.core.instrument.MeterRegistry metrics) {
        this.history = history;
        this.metrics = metrics;
        this.training = training;
        this.labels = labels;
        this.config = config;
    }

    @Incoming("label-recorded")
    @Blocking
    public CompletionStage<Void> onLabel(Message<byte[]> message) {
        try {
            return label(message);
        } finally {
            history.labels().handled(message);
        }
    }

    private CompletionStage<Void> label(Message<byte[]> message) {
        LabelRecorded label;
        try {
            label = EventJson.readEvent(EventType.LABEL_RECORDED, message.getPayload(), LabelRecorded.class);
        } catch (InvalidEventException e) {
            LOG.errorf("dead-lettering a label record (%s): %s", RecordPosition.of(message), e.getMessage());
            count("label-recorded", "dead-lettered");
            return message.nack(e);
        }
        Optional<String> problem = training.validator().problem(label);
        if (problem.isPresent()) {
            LOG.warnf("label for slide %s, task %s rejected: %s", label.slideId(), label.task(), problem.get());
            count("label-recorded", "dead-lettered");
            return message.nack(new IllegalArgumentException("label rejected: " + problem.get()));
        }
        if (labels.put(label)) {
            if (!labels.hasGrid(label.slideId()) && training.gridExists(label.slideId())) {
                labels.gridArrived(label.slideId());
            }
            retrainIfEnoughNew(label.task());
        }
        return message.ack();
    }

    @Incoming("slide-encoded")
    @Blocking
    public CompletionStage<Void> onSlideEncoded(Message<byte[]> message) {
        try {
            SlideEncoded encoded = EventJson.readEvent(EventType.SLIDE_ENCODED, message.getPayload(), SlideEncoded.class);
            if (encoded.encoderId().equals(config.trainer().encoderId())) {
                // Labels that came before their grid become trainable now (once: a grid announced again is not news).
                labels.gridArrived(encoded.slideId()).stream().filter(training.tasks()::containsKey)
                        .forEach(this::retrainIfEnoughNew);
            }
        } catch (InvalidEventException e) {
            LOG.warnf("ignoring an invalid slide-encoded record: %s", e.getMessage());
            count("slide-encoded", "ignored");
        }
        return message.ack();
    }

    @Incoming("active-heads")
    @Blocking
    public CompletionStage<Void> onModelPublished(Message<byte[]> message) {
        try {
            training.champion(EventJson.readEvent(EventType.MODEL_PUBLISHED, message.getPayload(), ModelPublished.class));
        } catch (InvalidEventException e) {
            // The predictors dead-letter it; the trainer only counts it.
            LOG.warnf("ignoring an invalid model-published record: %s", e.getMessage());
            count("model-published", "ignored");
        } finally {
            history.heads().handled(message);
        }
        return message.ack();
    }

    @Incoming("decisions")
    @Blocking
    public CompletionStage<Void> onModelDecided(Message<byte[]> message) {
        try {
            training.decided(EventJson.readEvent(EventType.MODEL_DECIDED, message.getPayload(), ModelDecided.class));
        } catch (InvalidEventException e) {
            LOG.warnf("ignoring an invalid model-decided record (%s): %s", RecordPosition.of(message), e.getMessage());
            count("model-decided", "ignored");
        } finally {
            history.decisions().handled(message);
        }
        return message.ack();
    }

    private void retrainIfEnoughNew(String task) {
        if (labels.newTrainable(task) >= config.trainer().retrainAfterLabels()) {
            training.schedule(task);
        }
    }

    private void count(String channel, String outcome) {
        metrics.counter("nic.trainer.records", "channel", channel, "outcome", outcome).increment();
    }

    @Scheduled(every = "${nic.trainer.schedule:1h}", delayed = "${nic.trainer.schedule:1h}")
    void retrainOnSchedule() {
        training.tasks().keySet().stream().filter(t -> labels.newTrainable(t) > 0).forEach(training::schedule);
    }
}
