package org.nic.event;

import java.util.List;
import java.util.Map;

/**
 * Slide-level predictions for dashboards. Topic {@link Topics#SLIDE_PREDICTED}, key = slide id.
 *
 * @param slideId the slide
 * @param caseId case id, if known
 * @param encoderId encoder of the grid the heads read
 * @param gridUri that grid
 * @param predictions one per active head for that encoder
 * @param latencyMillis time from receiving slide-encoded to publishing this
 * @param predictor name and version of the service
 */
public record SlidePredicted(String slideId, String caseId, String encoderId, String gridUri, List<Prediction> predictions,
                             long latencyMillis, String predictor) {

    /**
     * @param task task name
     * @param kind REGRESSION, CLASSIFICATION or SURVIVAL
     * @param headVersion version of the head that made it
     * @param value regression value
     * @param probabilities class probabilities by class name
     * @param logRisk survival log-risk (higher = earlier event)
     */
    public record Prediction(String task, String kind, String headVersion, Double value, Map<String, Double> probabilities,
                             Double logRisk) {

        /**
         * A head's mean output read as its kind says: a value, a log-risk, or class probabilities (a two-class head
         * with one output gives P(second class)).
         *
         * @param classes the head's classes, in output order (its card's)
         */
        public static Prediction of(String task, String kind, String headVersion, List<String> classes, float[] out) {
            return switch (kind) {
                case "CLASSIFICATION" -> {
                    Map<String, Double> p = new java.util.LinkedHashMap<>();
                    if (out.length == 1 && classes.size() == 2) {
                        p.put(classes.get(0), 1.0 - out[0]);
                        p.put(classes.get(1), (double) out[0]);
                    } else {
                        for (int i = 0; i < out.length; i++) {
                            p.put(i < classes.size() ? classes.get(i) : String.valueOf(i), (double) out[i]);
                        }
                    }
                    yield new Prediction(task, kind, headVersion, null, p, null);
                }
                case "SURVIVAL" -> new Prediction(task, kind, headVersion, null, null, (double) out[0]);
                default -> new Prediction(task, kind, headVersion, (double) out[0], null, null);
            };
        }
    }
}
