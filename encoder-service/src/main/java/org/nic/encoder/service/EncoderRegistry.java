package org.nic.encoder.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.nic.event.StageFailure;
import org.nic.encoder.config.EncoderConfig;
import org.nic.encoding.OnnxPatchEncoder;
import org.nic.encoding.PatchEncoder;
import org.nic.event.EventJson;
import org.nic.event.FailureReason;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageException;
import org.nic.storage.StorageLayout;

/**
 * Encoders from the registry in object storage ({@code models/encoders/{id}/model.onnx + card.json}).
 * The encoder shipped in the service is uploaded at start when the registry lacks it. A model whose
 * SHA-256 differs from its card is refused. Sessions are kept per (id, sha256).
 */
@ApplicationScoped
public class EncoderRegistry {

    private static final Logger LOG = Logger.getLogger(EncoderRegistry.class);

    /** A loaded encoder. */
    public record Loaded(String id, String sha256, PatchEncoder encoder) { }

    private final ObjectStore store;
    private final EncoderConfig.Encoder config;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();

    private final MeterRegistry metrics;

    public EncoderRegistry(ObjectStore store, EncoderConfig config, MeterRegistry metrics) {
        this.store = store;
        this.config = config.encoder();
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent start) {
        Thread preload = new Thread(this::preloadDefault, "nic-encoder-preload");
        preload.setDaemon(true);
        preload.start();
    }

    /**
     * Uploads the shipped default encoder when the registry lacks it and loads it, trying again every 5 s
     * while the store or the model fails: the service is not ready ({@link EncoderReadiness}) until then, and
     * every failed try is counted ({@code nic.encoder.model.loads{outcome=failed}}) and logged with its reason.
     */
    void preloadDefault() {
        String id = config.defaultId();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                uploadShipped(id);
                preload(id);
                return;
            } catch (StageFailure | RuntimeException e) {
                LOG.errorf("encoder %s could not be loaded at start (trying again in 5 s): %s", id, e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Whether the default encoder is loaded (readiness). */
    public boolean defaultLoaded() {
        return loaded.containsKey(config.defaultId());
    }

    /** Loads an encoder unless one is loaded under its id; never replaces (and so never closes) a session. */
    synchronized void preload(String id) throws StageFailure {
        if (!loaded.containsKey(id)) {
            load(id);
        }
    }

    /**
     * Uploads a shipped encoder unless the registry has it: model first, card last (the card publishes it).
     *
     * @return whether it uploaded one
     */
    boolean uploadShipped(String id) {
        String prefix = StorageLayout.encoder(id);
        if (store.exists(store.uri(prefix + ModelCard.FILE_NAME))) {
            return false;
        }
        byte[] model = resource("nic/encoders/" + id + "/model.onnx");
        byte[] card = resource("nic/encoders/" + id + "/" + ModelCard.FILE_NAME);
        if (model == null || card == null) {
            LOG.warnf("encoder %s is neither in the registry nor shipped with this service", id);
            return false;
        }
        store.put(prefix + "model.onnx", model, "application/octet-stream");
        String licence = new String(resource("nic/encoders/" + id + "/LICENSE") == null ? new byte[0]
                : resource("nic/encoders/" + id + "/LICENSE"), java.nio.charset.StandardCharsets.UTF_8);
        if (!licence.isEmpty()) {
            store.put(prefix + "LICENSE", licence.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
        }
        store.put(prefix + ModelCard.FILE_NAME, card, "application/json");
        LOG.infof("uploaded the shipped encoder %s to %s", id, store.uri(prefix));
        return true;
    }

    /** The encoder {@code id}, loaded and checked against its card. */
    public synchronized Loaded load(String id) throws StageFailure {
        try {
            return loadChecked(id);
        } catch (StageFailure e) {
            metrics.counter("nic.encoder.model.loads", "outcome", "failed", "reason", e.reason().name()).increment();
            throw e;
        }
    }

    /*
     * Replacing an encoder closes the session it replaces: callers are the encoding worker (one slide at a time,
     * so no slide is using it) and preload (which never replaces).
     */
    private Loaded loadChecked(String id) throws StageFailure {
        try {
            return loadFromRegistry(id);
        } catch (StageFailure e) {
            // Any encoder shipped with the service (the float default, its INT8 twin, older versions) can be asked for
            // by an event or by configuration before anyone uploaded it.
            if (e.reason() == FailureReason.MODEL_UNAVAILABLE && e.getCause() instanceof StorageException s && s.notFound()
                    && uploadShipped(id)) {
                return loadFromRegistry(id);
            }
            throw e;
        }
    }

    private Loaded loadFromRegistry(String id) throws StageFailure {
        String prefix = StorageLayout.encoder(id);
        ModelCard card;
        byte[] model;
        try {
            byte[] cardBytes = store.get(store.uri(prefix + ModelCard.FILE_NAME));
            card = EventJson.mapper().readValue(cardBytes, ModelCard.class);
            Loaded cached = loaded.get(id);
            if (cached != null && cached.sha256().equals(card.sha256())) {
                return cached;
            }
            model = store.get(store.uri(prefix + card.file()));
        } catch (StorageException e) {
            throw new StageFailure(e.notFound() ? FailureReason.MODEL_UNAVAILABLE : FailureReason.STORAGE_UNAVAILABLE,
                    "encoder " + id + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StageFailure(FailureReason.MODEL_UNAVAILABLE, "encoder " + id + ": unreadable card: " + e.getMessage(), e);
        }
        String actual = Sha256.hex(model);
        if (!actual.equals(card.sha256())) {
            throw new StageFailure(FailureReason.MODEL_UNAVAILABLE, "encoder " + id + ": model.onnx has sha256 " + actual
                    + " but its card says " + card.sha256() + "; refusing it", null);
        }
        try {
            PatchEncoder encoder = OnnxPatchEncoder.load(model, config.device(), config.threads());
            if (encoder.codeSize() < 1) {
                encoder.close();
                throw new IllegalArgumentException("output has no code length");
            }
            Loaded fresh = new Loaded(id, actual, encoder);
            Loaded previous = loaded.put(id, fresh);
            if (previous != null) {
                previous.encoder().close();
            }
            metrics.counter("nic.encoder.model.loads", "outcome", "loaded", "reason", "none").increment();
            // Which encoder version serves: 1 for the loaded sha256 of each id.
            metrics.gauge("nic.model.active", io.micrometer.core.instrument.Tags.of("kind", "encoder", "id", id,
                    "sha256", actual.substring(0, 12)), loaded, m -> m.get(id) != null && m.get(id).sha256().equals(actual) ? 1 : 0);
            LOG.infof("encoder %s (sha256 %s, %d channels) loaded on %s", id, actual.substring(0, 12), encoder.codeSize(),
                    encoder.device());
            return fresh;
        } catch (RuntimeException e) {
            throw new StageFailure(FailureReason.MODEL_UNAVAILABLE, "encoder " + id + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        loaded.values().forEach(l -> l.encoder().close());
    }

    private static byte[] resource(String name) {
        try (InputStream in = EncoderRegistry.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }
}
