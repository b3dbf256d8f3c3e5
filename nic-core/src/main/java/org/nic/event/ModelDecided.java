package org.nic.event;

/**
 * A decision about a head, for the record: the trainer published one, refused one or failed to train one, or an
 * operator pinned one.
 * Topic {@link Topics#MODEL_DECIDED} (not compacted: it is the history that the compacted model-published
 * topic forgets), key = {@code task + "/" + encoderId}.
 *
 * @param task task name
 * @param kind REGRESSION, CLASSIFICATION or SURVIVAL
 * @param encoderId encoder whose grids the head reads
 * @param decision PUBLISHED, REFUSED, PINNED, or FAILED (a training run that ended in an error: the reason says which)
 * @param headVersion the head's version (null when a refused head was never stored)
 * @param metric name of the held-out metric (spearman, auc, c-index)
 * @param heldOutMetric its value on the held-out slides (null when not measured)
 * @param heldOutLower lower end of its 95% bootstrap interval (null when not measured)
 * @param heldOutUpper upper end of that interval
 * @param gain held-out metric minus the champion's (or the trivial baseline's) on the same slides
 * @param gainLower one-sided lower bound of the gain (paired bootstrap)
 * @param trainSlides slides it was trained on (null for a pinned head)
 * @param heldOutSlides slides it was judged on
 * @param reason why, in words (the gate's verdict, or the operator's)
 * @param by who decided: the trainer's name and version, or the operator
 * @param labelSnapshot SHA-256 of the labels a trainer's run trained and judged on (PUBLISHED, REFUSED): a trainer
 *     that restarts, or is asked again, does not train again on the labels its last decision already covered
 */
public record ModelDecided(String task, String kind, String encoderId, String decision, String headVersion, String metric,
                           Double heldOutMetric, Double heldOutLower, Double heldOutUpper, Double gain, Double gainLower,
                           Integer trainSlides, int heldOutSlides, String reason, String by, String labelSnapshot) {

    public static final String PUBLISHED = "PUBLISHED";
    public static final String REFUSED = "REFUSED";
    public static final String PINNED = "PINNED";
    public static final String FAILED = "FAILED";

    /** A decision that covers no labels (a pinned head, a failed run). */
    public ModelDecided(String task, String kind, String encoderId, String decision, String headVersion, String metric,
                        Double heldOutMetric, Double heldOutLower, Double heldOutUpper, Double gain, Double gainLower,
                        Integer trainSlides, int heldOutSlides, String reason, String by) {
        this(task, kind, encoderId, decision, headVersion, metric, heldOutMetric, heldOutLower, heldOutUpper, gain, gainLower,
                trainSlides, heldOutSlides, reason, by, null);
    }

    public String key() {
        return task + "/" + encoderId;
    }
}
