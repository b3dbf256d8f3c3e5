package org.nic.predictor.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.InvalidEventException;
import org.nic.event.ModelPublished;
import org.nic.event.SlideEncoded;
import org.nic.event.SlidePredicted;
import org.nic.hash.Sha256;
import org.nic.event.FailureReason;
import org.nic.event.StageFailure;
import org.nic.predictor.service.ActiveHeads;
import org.nic.predictor.service.HeadsLoaded;
import org.nic.predictor.service.PredictionService;
import org.nic.service.messaging.CloudEventSender;
import org.nic.service.messaging.RecordPosition;
import org.nic.service.messaging.SlideStage;

/**
 * model-published (read from the beginning by every replica) keeps the active heads; slide-encoded gets
 * every active head for its encoder and a slide-predicted event, the way every stage handles a record
 * ({@link SlideStage}). A model-published record that cannot be read, or whose head is refused, is
 * dead-lettered to {@code nic.model.published.v1.dlq} with the reason.
 */
@ApplicationScoped
public class PredictorListener {

    private static final Logger LOG = Logger.getLogger(PredictorListener.class);
    static final String STAGE = "prediction";

    private final ActiveHeads heads;
    private final PredictionService prediction;
    private final MutinyEmitter<byte[]> predicted;
    private final SlideStage stage;
    private final HeadsLoaded loaded;
    /** How long a slide waits for the heads published before this predictor started to be read. */
    static final java.time.Duration HEADS_WAIT = java.time.Duration.ofSeconds(60);

    public PredictorListener(ActiveHeads heads, PredictionService prediction, HeadsLoaded loaded,
                             @Channel("slide-predicted") MutinyEmitter<byte[]> predicted,
                             @Channel("slide-failed") MutinyEmitter<byte[]> failed, MeterRegistry metrics, Config config,
                             org.nic.storage.ObjectStore store, org.nic.service.messaging.StageConfig stages,
                             org.nic.service.messaging.SlideWatch watch) {
        this.heads = heads;
        this.loaded = loaded;
        this.prediction = prediction;
        this.predicted = predicted;
        this.stage = new SlideStage(STAGE, prediction.name(), EventType.SLIDE_ENCODED, "slide-encoded", config, metrics,
                f -> CloudEventSender.send(failed, f.slideId(), f.eventId(), f), LOG, new org.nic.service.messaging.AttemptLedger(store,
                STAGE, stages.maxCrashes()), watch);
    }

    @Incoming("model-published")
    @Blocking
    public CompletionStage<Void> onModelPublished(Message<byte[]> message) {
        try {
            ModelPublished event = EventJson.readEvent(EventType.MODEL_PUBLISHED, message.getPayload(), ModelPublished.class);
            String refused = heads.activate(event);
            if (refused != null) {
                return message.nack(new IllegalStateException("head " + event.task() + " " + event.headVersion() + " for "
                        + event.encoderId() + " refused: " + refused));
            }
            return message.ack();
        } catch (InvalidEventException e) {
            LOG.errorf("dead-lettering an invalid model-published record (%s): %s", RecordPosition.of(message), e.getMessage());
            return message.nack(e);
        } catch (StageFailure e) {
            LOG.errorf("dead-lettering a model-published record whose head could not be read (%s): %s",
                    RecordPosition.of(message), e.getMessage());
            return message.nack(e);
        } finally {
            loaded.handled(message);
        }
    }

    @Incoming("slide-encoded")
    @Blocking
    public CompletionStage<Void> onSlideEncoded(Message<byte[]> message) throws InterruptedException {
        long received = System.nanoTime();
        return stage.handle(message, SlideEncoded.class, SlideEncoded::slideId, e -> null, encoded -> {
            if (!loaded.await(HEADS_WAIT)) {
                throw new StageFailure(FailureReason.MODELS_LOADING, "the heads published before this predictor started"
                        + " are not all read yet (is the object store down?)");
            }
            SlidePredicted result = prediction.predict(encoded, received);
            if (result == null) {
                LOG.infof("slide %s: no active head for encoder %s yet", encoded.slideId(), encoded.encoderId());
                return "no-head";
            }
            CloudEventSender.send(predicted, result.slideId(), eventId(encoded, result), result);
            LOG.infof("slide %s predicted by %d heads in %d ms", result.slideId(), result.predictions().size(),
                    result.latencyMillis());
            return "predicted";
        });
    }

    /**
     * The same grid answered by the same head versions has the same CloudEvents id, so a consumer drops the
     * duplicates that at-least-once delivery makes (a slide-encoded redelivered after a crash).
     */
    static String eventId(SlideEncoded encoded, SlidePredicted result) {
        StringBuilder heads = new StringBuilder(encoded.encoderSha256()).append('/').append(encoded.planSha256());
        result.predictions().stream().map(p -> p.task() + "@" + p.headVersion()).sorted().forEach(h -> heads.append('/').append(h));
        return result.slideId() + ":predicted:"
                + Sha256.hex(heads.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
    }
}
