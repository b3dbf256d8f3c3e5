package org.nic.predictor.messaging;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.service.messaging.RecordPosition;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.InvalidEventException;
import org.nic.event.ModelPublished;
import org.nic.event.SlideEncoded;
import org.nic.event.SlideFailed;
import org.nic.event.SlidePredicted;
import org.nic.predictor.service.ActiveHeads;
import org.nic.predictor.service.PredictionService;
import org.nic.service.messaging.CloudEventSender;
import org.nic.storage.StorageException;
import org.nic.storage.StorageLayout;

/**
 * model-published (read from the beginning by every replica) keeps the active heads; slide-encoded gets
 * every active head for its encoder and a slide-predicted event.
 */
@ApplicationScoped
public class PredictorListener {

    private static final Logger LOG = Logger.getLogger(PredictorListener.class);

    private final ActiveHeads heads;
    private final PredictionService prediction;
    private final MutinyEmitter<byte[]> predicted;
    private final MutinyEmitter<byte[]> failed;

    public PredictorListener(ActiveHeads heads, PredictionService prediction,
                             @Channel("slide-predicted") MutinyEmitter<byte[]> predicted,
                             @Channel("slide-failed") MutinyEmitter<byte[]> failed) {
        this.heads = heads;
        this.prediction = prediction;
        this.predicted = predicted;
        this.failed = failed;
    }

    @Incoming("model-published")
    @Blocking
    public CompletionStage<Void> onModelPublished(Message<byte[]> message) {
        try {
            heads.activate(EventJson.readEvent(EventType.MODEL_PUBLISHED, message.getPayload(), ModelPublished.class));
        } catch (InvalidEventException e) {
            LOG.errorf("ignoring an invalid model-published record: %s", e.getMessage());
        }
        return message.ack();
    }

    @Incoming("slide-encoded")
    @Blocking
    public CompletionStage<Void> onSlideEncoded(Message<byte[]> message) {
        long received = System.nanoTime();
        SlideEncoded encoded;
        try {
            encoded = EventJson.readEvent(EventType.SLIDE_ENCODED, message.getPayload(), SlideEncoded.class);
        } catch (InvalidEventException e) {
            if (!StorageLayout.isValidSlideId(e.slideId())) {
                LOG.errorf("dead-lettering a slide-encoded record without a usable slide id (%s): %s", RecordPosition.of(message),
                        e.getMessage());
                return message.nack(e);
            }
            fail(e.slideId(), FailureReason.INVALID_EVENT, e.getMessage());
            return message.ack();
        }
        try {
            SlidePredicted result = prediction.predict(encoded, received);
            if (result == null) {
                LOG.infof("slide %s: no active head for encoder %s yet", encoded.slideId(), encoded.encoderId());
            } else {
                CloudEventSender.send(predicted, result.slideId(), null, result);
                LOG.infof("slide %s predicted by %d heads in %d ms", result.slideId(), result.predictions().size(),
                        result.latencyMillis());
            }
        } catch (StorageException e) {
            fail(encoded.slideId(), e.notFound() ? FailureReason.PLAN_NOT_FOUND : FailureReason.STORAGE_UNAVAILABLE, e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "slide %s: unexpected error while predicting", encoded.slideId());
            fail(encoded.slideId(), FailureReason.INTERNAL_ERROR, String.valueOf(e));
        }
        return message.ack();
    }

    private void fail(String slideId, FailureReason reason, String why) {
        LOG.warnf("slide %s failed at prediction: %s: %s", slideId, reason, why);
        CloudEventSender.send(failed, slideId, null, new SlideFailed(slideId, "prediction", reason, why, reason.retriable(),
                prediction.name(), null));
    }
}
