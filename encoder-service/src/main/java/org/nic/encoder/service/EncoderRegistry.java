package org.nic.encoder.service;

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

    public EncoderRegistry(ObjectStore store, EncoderConfig config) {
        this.store = store;
        this.config = config.encoder();
    }

    void onStart(@Observes StartupEvent start) {
        try {
            uploadShipped(config.defaultId());
        } catch (RuntimeException e) {
            LOG.errorf("could not upload the shipped encoder %s: %s", config.defaultId(), e.getMessage());
        }
    }

    /** Uploads a shipped encoder unless the registry has it: model first, card last (the card publishes it). */
    void uploadShipped(String id) {
        String prefix = StorageLayout.encoder(id);
        if (store.exists(store.uri(prefix + ModelCard.FILE_NAME))) {
            return;
        }
        byte[] model = resource("nic/encoders/" + id + "/model.onnx");
        byte[] card = resource("nic/encoders/" + id + "/" + ModelCard.FILE_NAME);
        if (model == null || card == null) {
            LOG.warnf("encoder %s is neither in the registry nor shipped with this service", id);
            return;
        }
        store.put(prefix + "model.onnx", model, "application/octet-stream");
        String licence = new String(resource("nic/encoders/" + id + "/LICENSE") == null ? new byte[0]
                : resource("nic/encoders/" + id + "/LICENSE"), java.nio.charset.StandardCharsets.UTF_8);
        if (!licence.isEmpty()) {
            store.put(prefix + "LICENSE", licence.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
        }
        store.put(prefix + ModelCard.FILE_NAME, card, "application/json");
        LOG.infof("uploaded the shipped encoder %s to %s", id, store.uri(prefix));
    }

    /** The encoder {@code id}, loaded and checked against its card. */
    public Loaded load(String id) throws StageFailure {
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
        String actual = ModelCard.sha256(model);
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
