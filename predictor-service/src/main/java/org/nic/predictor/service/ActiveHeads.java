package org.nic.predictor.service;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.nic.grid.CompressedGrid;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.event.ModelPublished;
import org.nic.model.ModelCard;
import org.nic.model.OnnxHead;
import org.nic.predictor.config.PredictorConfig;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.nic.event.FailureReason;
import org.nic.event.StageFailure;
import org.nic.service.messaging.TransientFailure;

/**
 * The active head of every (task, encoder), swapped atomically when a model-published event arrives. A
 * head that fails to load or whose SHA-256 does not match its event and card is refused, and the head
 * already active keeps serving.
 */
@ApplicationScoped
public class ActiveHeads {

    private static final Logger LOG = Logger.getLogger(ActiveHeads.class);

    /**
     * A loaded head. Predictions hold its read lock; retiring it (after a swap) takes the write lock, so a
     * session is never closed under a prediction in flight.
     */
    public record Head(ModelPublished published, OnnxHead model, int crop, int crops, List<String> classes,
                       ReentrantReadWriteLock lock, AtomicBoolean retired) {

        /** The head's mean output on the grid, or null when it was retired meanwhile (ask for the current one). */
        public float[] predict(CompressedGrid grid) {
            lock.readLock().lock();
            try {
                return retired.get() ? null : model.predict(grid, crop, crops);
            } finally {
                lock.readLock().unlock();
            }
        }

        void retire() {
            lock.writeLock().lock();
            try {
                retired.set(true);
                model.close();
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** Counter of model-published events handled, by outcome ({@code activated}, {@code refused}). */
    public static final String HEADS_METRIC = "nic.predictor.heads";

    private final ObjectStore store;
    private final PredictorConfig.Predictor config;
    private final MeterRegistry metrics;
    private final Map<String, Head> heads = new ConcurrentHashMap<>();

    public ActiveHeads(ObjectStore store, PredictorConfig config, MeterRegistry metrics) {
        this.store = store;
        this.config = config.predictor();
        this.metrics = metrics;
    }

    private String outcome(String refused) {
        metrics.counter(HEADS_METRIC, "outcome", refused == null ? "activated" : "refused").increment();
        return refused;
    }

    /**
     * Loads and activates a head; returns why it was refused (keeping the old one), or null when it serves. A
     * store that fails is not a reason to refuse a head: it is retried here with backoff (2 s doubling to 30 s,
     * for up to 10 minutes) and only then thrown, as {@code STORAGE_UNAVAILABLE}.
     */
    @Retry(maxRetries = -1, delay = 2000, maxDuration = 600_000, jitter = 500)
    @ExponentialBackoff(factor = 2, maxDelay = 30_000)
    @RetryWhen(exception = TransientFailure.class)
    public String activate(ModelPublished event) throws StageFailure {
        try {
            byte[] model;
            byte[] cardBytes;
            try {
                model = store.get(S3Uri.parse(event.modelUri()));
                cardBytes = store.get(S3Uri.parse(event.cardUri()));
            } catch (StorageException e) {
                if (!e.notFound()) {
                    LOG.warnf("head %s %s for %s: the store failed (%s); trying again", event.task(), event.headVersion(),
                            event.encoderId(), e.getMessage());
                    throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
                }
                throw e;
            }
            ModelCard card = EventJson.mapper().readValue(cardBytes, ModelCard.class);
            String actual = ModelCard.sha256(model);
            if (!actual.equals(event.sha256()) || !actual.equals(card.sha256())) {
                String why = "model sha256 " + actual + ", event says " + event.sha256() + ", card says " + card.sha256();
                LOG.errorf("head %s %s for %s refused: %s; keeping the active head", event.task(), event.headVersion(),
                        event.encoderId(), why);
                return outcome(why);
            }
            Map<String, Object> p = card.properties() == null ? Map.of() : card.properties();
            int crop = p.get("crop") instanceof Number n ? n.intValue() : config.crop();
            int crops = p.get("crops") instanceof Number n ? n.intValue() : config.crops();
            List<String> classes = new ArrayList<>();
            if (p.get("classes") instanceof List<?> l) {
                l.forEach(c -> classes.add(String.valueOf(c)));
            }
            Head fresh = new Head(event, new OnnxHead(model), crop, crops, List.copyOf(classes), new ReentrantReadWriteLock(),
                    new AtomicBoolean());
            Head old = heads.put(event.key(), fresh);
            if (old != null) {
                old.retire();
            }
            LOG.infof("head %s %s active for encoder %s (%s %.3f on %d held-out slides)", event.task(), event.headVersion(),
                    event.encoderId(), event.metric(), event.heldOutMetric(), event.heldOutSlides());
            metrics.gauge("nic.model.active", io.micrometer.core.instrument.Tags.of("kind", "head", "id", event.key(),
                    "version", event.headVersion()), heads, m -> m.get(event.key()) == fresh ? 1 : 0);
            return outcome(null);
        } catch (IOException | RuntimeException e) {
            LOG.errorf("head %s %s for %s refused: %s; keeping the active head", event.task(), event.headVersion(),
                    event.encoderId(), e.getMessage());
            return outcome(String.valueOf(e.getMessage()));
        }
    }

    /** The active head for a task and encoder, if any. */
    public Head current(String key) {
        return heads.get(key);
    }

    /** The active heads that read grids of this encoder. */
    public List<Head> forEncoder(String encoderId) {
        return heads.values().stream().filter(h -> h.published().encoderId().equals(encoderId)).toList();
    }

    public Collection<Head> all() {
        return heads.values();
    }

    @PreDestroy
    void close() {
        heads.values().forEach(Head::retire);
    }
}
