package org.nic.predictor.service;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.nic.grid.CompressedGrid;
import org.jboss.logging.Logger;
import org.nic.event.ModelPublished;
import org.nic.model.OnnxHead;
import org.nic.predictor.config.PredictorConfig;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageException;
import org.nic.trust.HeadRefused;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.nic.event.FailureReason;
import org.nic.event.StageFailure;
import org.nic.service.messaging.TransientFailure;

/**
 * The active head of every (task, encoder), swapped atomically when a model-published event arrives. A head
 * that is not signed by a trusted key, whose files changed after signing, that is larger or asks for more than
 * the limits, or that fails to load is refused, and the head already active keeps serving.
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

    /**
     * Counter of model-published events handled, by outcome ({@code activated}, {@code refused}) and, for refusals,
     * reason ({@code unsigned}, {@code unknown-key}, {@code bad-signature}, {@code hash-mismatch}, {@code too-large},
     * {@code bad-card}, {@code unloadable}).
     */
    public static final String HEADS_METRIC = "nic.predictor.heads";

    private final ObjectStore store;
    private final PredictorConfig.Predictor config;
    private final TrustedKeys trusted;
    private final VerifiedHead.Limits limits;
    private final MeterRegistry metrics;
    private final Map<String, Head> heads = new ConcurrentHashMap<>();

    public ActiveHeads(ObjectStore store, PredictorConfig config, MeterRegistry metrics) {
        this.store = store;
        this.config = config.predictor();
        this.trusted = config.trust().trustedKeys();
        this.limits = config.trust().limits(this.config.crop(), this.config.crops());
        this.metrics = metrics;
        LOG.infof("heads are run when signed by one of the trusted keys %s", trusted.ids());
    }

    private String refused(ModelPublished event, String reasonTag, String why) {
        metrics.counter(HEADS_METRIC, "outcome", "refused", "reason", reasonTag).increment();
        LOG.errorf("head %s %s for %s refused (%s): %s; keeping the active head", event.task(), event.headVersion(),
                event.encoderId(), reasonTag, why);
        return reasonTag + ": " + why;
    }

    /**
     * Loads, checks ({@link VerifiedHead}: signature by a trusted key, hashes, size and placement limits) and
     * activates a head; returns why it was refused (keeping the old one), or null when it serves. A store that
     * fails is not a reason to refuse a head: it is retried here with backoff (2 s doubling to 30 s, for up to 10
     * minutes) and only then thrown, as {@code STORAGE_UNAVAILABLE}.
     */
    @Retry(maxRetries = -1, delay = 2000, maxDuration = 600_000, jitter = 500)
    @ExponentialBackoff(factor = 2, maxDelay = 30_000)
    @RetryWhen(exception = TransientFailure.class)
    public String activate(ModelPublished event) throws StageFailure {
        VerifiedHead verified;
        try {
            verified = VerifiedHead.load(store, event.modelUri(), event.cardUri(), event.sha256(), trusted, limits);
        } catch (HeadRefused e) {
            return refused(event, e.tag(), e.getMessage());
        } catch (StorageException e) {
            if (!e.notFound()) {
                LOG.warnf("head %s %s for %s: the store failed (%s); trying again", event.task(), event.headVersion(),
                        event.encoderId(), e.getMessage());
                throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
            }
            return refused(event, "missing", e.getMessage());
        } catch (IllegalArgumentException e) {
            return refused(event, "bad-event", String.valueOf(e.getMessage()));
        }
        OnnxHead model;
        try {
            model = new OnnxHead(verified.model());
        } catch (RuntimeException e) {
            return refused(event, "unloadable", String.valueOf(e.getMessage()));
        }
        Head fresh = new Head(event, model, verified.crop(), verified.crops(), verified.classes(), new ReentrantReadWriteLock(),
                new AtomicBoolean());
        Head old = heads.put(event.key(), fresh);
        if (old != null) {
            old.retire();
        }
        LOG.infof("head %s %s active for encoder %s, signed by key %s (%s %.3f on %d held-out slides)", event.task(),
                event.headVersion(), event.encoderId(), verified.signature().keyId(), event.metric(), event.heldOutMetric(),
                event.heldOutSlides());
        metrics.counter(HEADS_METRIC, "outcome", "activated", "reason", "signed").increment();
        metrics.gauge("nic.model.active", io.micrometer.core.instrument.Tags.of("kind", "head", "id", event.key(),
                "version", event.headVersion()), heads, m -> m.get(event.key()) == fresh ? 1 : 0);
        return null;
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
