package org.nic.predictor.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.nic.event.FailureReason;
import org.nic.event.StageFailure;
import org.nic.service.messaging.TransientFailure;
import org.nic.storage.StorageException;
import org.nic.event.SlideEncoded;
import org.nic.event.SlidePredicted;
import org.nic.grid.CompressedGrid;
import org.nic.grid.ZarrGridReader;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;

/** Runs every active head for a grid's encoder on the grid. */
@ApplicationScoped
public class PredictionService {

    private final ObjectStore store;
    private final ActiveHeads heads;
    private final Reencoder reencoder;
    private final String name;

    public PredictionService(ObjectStore store, ActiveHeads heads, Reencoder reencoder,
                             @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.store = store;
        this.heads = heads;
        this.reencoder = reencoder;
        this.name = "nic-predictor/" + version;
    }

    public String name() {
        return name;
    }

    /**
     * Predictions for the slide, or null when no head serves its encoder. An object store that fails is
     * retried here with backoff (up to {@code max-duration}, 60 s); past that the stage fails with
     * {@code STORAGE_UNAVAILABLE} and the slide goes to the delayed retry topic.
     */
    @Retry(maxRetries = -1, delay = 2000, maxDuration = 60_000, jitter = 500)
    @ExponentialBackoff(factor = 2, maxDelay = 15_000)
    @RetryWhen(exception = TransientFailure.class)
    public SlidePredicted predict(SlideEncoded encoded, long receivedNanos) throws StageFailure {
        List<ActiveHeads.Head> active = heads.forEncoder(encoded.encoderId());
        if (active.isEmpty()) {
            return null;
        }
        S3Uri grid = S3Uri.parse(encoded.gridUri());
        CompressedGrid codes;
        try {
            codes = ZarrGridReader.read(store, encoded.slideId(), grid.key());
        } catch (StorageException e) {
            throw new StageFailure(e.notFound() ? FailureReason.PLAN_NOT_FOUND : FailureReason.STORAGE_UNAVAILABLE,
                    "grid " + encoded.gridUri() + ": " + e.getMessage(), e);} catch (org.nic.grid.GridCorruptException e) {
            // Never predicted from zeros: this slide fails, and its grid is made again (slide-encoded follows).
            boolean asked = reencoder.request(encoded.slideId(), encoded.encoderId());
            throw new StageFailure(FailureReason.GRID_CORRUPT, e.getMessage() + (asked ? "; encoding it again"
                    : "; it was asked for again within the hour already, so not again"), e);
        }
        List<SlidePredicted.Prediction> predictions = new ArrayList<>();
        for (ActiveHeads.Head candidate : active) {
            ActiveHeads.Head head = candidate;
            float[] out = head.predict(codes);
            while (out == null) { // swapped while we were here: the newer head answers
                head = heads.current(head.published().key());
                out = head == null ? new float[] {Float.NaN} : head.predict(codes);
            }
            if (head == null) {
                continue;
            }
            predictions.add(SlidePredicted.Prediction.of(head.published().task(), head.published().kind(),
                    head.published().headVersion(), head.classes(), out));
        }
        return new SlidePredicted(encoded.slideId(), encoded.caseId(), encoded.encoderId(), encoded.gridUri(), predictions,
                (System.nanoTime() - receivedNanos) / 1_000_000, name);
    }
}
