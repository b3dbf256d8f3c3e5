package org.nic.event;

/**
 * A head is the active one for a task and an encoder. Topic {@link Topics#MODEL_PUBLISHED} (compacted),
 * key = {@code task + "/" + encoderId}, so heads for older encoders survive an encoder upgrade. Predictors
 * read it from the beginning, every replica on its own.
 *
 * @param task task name
 * @param kind REGRESSION, CLASSIFICATION or SURVIVAL
 * @param encoderId encoder whose grids the head reads
 * @param headVersion version of the head (unique per task)
 * @param modelUri the ONNX file
 * @param sha256 its SHA-256 (also in its card)
 * @param cardUri the model card
 * @param metric name of the held-out metric (spearman, auc, c-index)
 * @param heldOutMetric its value on the held-out slides
 * @param heldOutSlides how many held-out slides it was measured on
 * @param reason why it became active (beat the champion, first head beat the baseline, pinned, rollback)
 * @param heldOutLower lower end of the held-out metric's 95% bootstrap interval (null when not measured)
 * @param heldOutUpper upper end of that interval
 * @param gain held-out metric minus the replaced champion's (or the trivial baseline's) on the same slides
 * @param gainLower one-sided 95% lower bound of the gain (paired bootstrap): above zero, or it is not published
 */
public record ModelPublished(String task, String kind, String encoderId, String headVersion, String modelUri,
                             String sha256, String cardUri, String metric, double heldOutMetric, int heldOutSlides,
                             String reason, Double heldOutLower, Double heldOutUpper, Double gain, Double gainLower) {

    /** A head without a measured interval (tests, and heads pinned by hand). */
    public ModelPublished(String task, String kind, String encoderId, String headVersion, String modelUri, String sha256,
                          String cardUri, String metric, double heldOutMetric, int heldOutSlides, String reason) {
        this(task, kind, encoderId, headVersion, modelUri, sha256, cardUri, metric, heldOutMetric, heldOutSlides, reason,
                null, null, null, null);
    }

    public String key() {
        return task + "/" + encoderId;
    }
}
