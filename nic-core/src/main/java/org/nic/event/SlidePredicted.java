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
                             Double logRisk) { }
}
