package org.nic.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A head's output read as its kind says: what the predictor publishes and what the cohort's tools score. */
class PredictionTest {

    @Test
    void aTwoClassHeadWithOneOutputGivesTheSecondClassesProbability() {
        SlidePredicted.Prediction p = SlidePredicted.Prediction.of("growth", "CLASSIFICATION", "v3",
                List.of("desmoplastic", "replacement"), new float[] {0.25f});
        assertThat(p.probabilities()).containsOnlyKeys("desmoplastic", "replacement");
        assertThat(p.probabilities().get("replacement")).isEqualTo(0.25);
        assertThat(p.probabilities().get("desmoplastic")).isCloseTo(0.75, within(1e-12));
        assertThat(p.value()).isNull();
        assertThat(p.logRisk()).isNull();
        assertThat(p.headVersion()).isEqualTo("v3");
    }

    @Test
    void aManyClassHeadNamesEachOutputByItsClassAndAnUnnamedOneByItsIndex() {
        SlidePredicted.Prediction p = SlidePredicted.Prediction.of("growth", "CLASSIFICATION", "v1",
                List.of("desmoplastic", "mixed"), new float[] {0.5f, 0.25f, 0.25f});
        assertThat(p.probabilities().keySet()).containsExactly("desmoplastic", "mixed", "2");
        assertThat(p.probabilities().get("mixed")).isEqualTo(0.25);
    }

    @Test
    void survivalIsALogRiskAndRegressionAValue() {
        assertThat(SlidePredicted.Prediction.of("os", "SURVIVAL", "v1", List.of(), new float[] {-1.5f}).logRisk()).isEqualTo(-1.5);
        SlidePredicted.Prediction r = SlidePredicted.Prediction.of("tf", "REGRESSION", "v1", List.of(), new float[] {0.125f});
        assertThat(r.value()).isEqualTo(0.125);
        assertThat(r.probabilities()).isNull();
    }
}
