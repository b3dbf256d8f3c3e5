package org.nic.trainer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.event.LabelRecorded;
import org.nic.model.TaskKind;
import org.nic.stats.PublishGate;
import org.nic.training.head.HeadTrainer;

/**
 * How the trainer chooses among its head candidates on the validation slides: the simplest unless a richer
 * one's gain holds under the paired bootstrap.
 */
class HeadChoiceTest {

    private static final PublishGate GATE = new PublishGate(0.95, 2000, 3, 17);

    @Test
    void candidatesStartWithTheArrangementHeadThenTheCnnWithoutTheMeanCodeReadOut() {
        List<HeadTrainer.Settings> c = HeadSelection.candidates(
                new HeadTrainer.Settings(TaskKind.CLASSIFICATION, 2, 64, 30, 8, 1e-3f, 17));
        assertThat(c).extracting(HeadTrainer.Settings::type).containsExactly(HeadTrainer.Type.ARRANGEMENT,
                HeadTrainer.Type.ARRANGEMENT_COMPOSITION, HeadTrainer.Type.ARRANGEMENT_BLEND, HeadTrainer.Type.GIGAPIXEL,
                HeadTrainer.Type.GIGAPIXEL, HeadTrainer.Type.ATTENTION);
        assertThat(c).filteredOn(HeadSelection::cheap).hasSize(3);
        assertThat(c.get(3).meanCode()).isFalse();
        assertThat(c.get(4).meanCode()).isTrue();
        assertThat(HeadSelection.describe(c.get(4))).contains("mean-code read-out");
        assertThat(HeadSelection.describe(c.get(2))).contains("blend");
        assertThat(HeadSelection.describe(c.get(0))).contains("join ratios");
    }

    @Test
    void aRicherHeadAheadOnAFewValidationSlidesDoesNotDisplaceTheSimplerOne() {
        // 8 validation slides: the simple head misorders one pair (AUC 15/16), the richer ones rank all (AUC 1).
        List<LabelRecorded> truth = PublishGateTest.labels("compact", "compact", "compact", "compact", "scattered", "scattered",
                "scattered", "scattered");
        double[][] simple = {{0.1}, {0.2}, {0.3}, {0.6}, {0.5}, {0.7}, {0.8}, {0.9}};
        double[][] richer = {{0.1}, {0.2}, {0.3}, {0.4}, {0.6}, {0.7}, {0.8}, {0.9}};
        int chosen = HeadSelection.choose(List.of(simple, richer, richer),
                (p, s) -> TaskScoring.metric(PublishGateTest.PATTERN, p, truth, s), 8, GATE);
        assertThat(chosen).isZero();
        assertThat(TaskScoring.metric(PublishGateTest.PATTERN, richer, truth, TaskScoring.all(8)))
                .isGreaterThan(TaskScoring.metric(PublishGateTest.PATTERN, simple, truth, TaskScoring.all(8)));
    }

    @Test
    void aClearGainChoosesTheRicherHeadAndTheNextMustBeatIt() {
        // 40 validation slides: the simple head is near chance, the second clearly better, the third no better
        // than the second (it must beat the current choice, not the first).
        Random r = new Random(5);
        String[] classes = new String[40];
        double[][] simple = new double[40][];
        double[][] better = new double[40][];
        double[][] third = new double[40][];
        for (int i = 0; i < 40; i++) {
            boolean scattered = i % 2 == 1;
            classes[i] = scattered ? "scattered" : "compact";
            simple[i] = new double[] {(scattered ? 1 : 0) + 3 * r.nextGaussian()};
            better[i] = new double[] {(scattered ? 1 : 0) + 0.3 * r.nextGaussian()};
            third[i] = new double[] {(scattered ? 1 : 0) + 0.35 * r.nextGaussian()};
        }
        List<LabelRecorded> truth = PublishGateTest.labels(classes);
        TaskScoring.SampleMetric auc = (p, s) -> TaskScoring.metric(PublishGateTest.PATTERN, p, truth, s);
        assertThat(HeadSelection.choose(List.of(simple, better, third), auc, 40, GATE)).isEqualTo(1);
        assertThat(HeadSelection.choose(List.of(simple, better), auc, 40, GATE)).isEqualTo(1);
        assertThat(HeadSelection.choose(List.of(simple, simple), auc, 40, GATE)).isZero();
    }

    @Test
    void twoRidgeHeadsThatScoreAlikeAreBlendedAndAClearGainEitherWayChoosesOne() {
        // 60 slides: two heads of the same quality with independent noise (neither's gain can hold), one clearly
        // better, one clearly worse.
        Random r = new Random(11);
        String[] classes = new String[60];
        double[][] a = new double[60][];
        double[][] b = new double[60][];
        double[][] good = new double[60][];
        for (int i = 0; i < 60; i++) {
            boolean scattered = i % 2 == 1;
            classes[i] = scattered ? "scattered" : "compact";
            a[i] = new double[] {(scattered ? 1 : 0) + 0.8 * r.nextGaussian()};
            b[i] = new double[] {(scattered ? 1 : 0) + 0.8 * r.nextGaussian()};
            good[i] = new double[] {(scattered ? 1 : 0) + 0.1 * r.nextGaussian()};
        }
        List<LabelRecorded> truth = PublishGateTest.labels(classes);
        TaskScoring.SampleMetric auc = (p, s) -> TaskScoring.metric(PublishGateTest.PATTERN, p, truth, s);
        assertThat(HeadSelection.chooseOrBlend(a, b, auc, 60, GATE)).as("alike: the blend").isEqualTo(2);
        assertThat(HeadSelection.chooseOrBlend(a, good, auc, 60, GATE)).as("the shares clearly better").isEqualTo(1);
        assertThat(HeadSelection.chooseOrBlend(good, a, auc, 60, GATE)).as("the joins clearly better").isZero();
    }

    @Test
    void aChoiceNoChallengerCouldBeatOnTheseSlidesEndsTheSearch() {
        Random r = new Random(9);
        String[] classes = new String[40];
        double[][] perfect = new double[40][];
        double[][] weak = new double[40][];
        for (int i = 0; i < 40; i++) {
            boolean scattered = i % 2 == 1;
            classes[i] = scattered ? "scattered" : "compact";
            perfect[i] = new double[] {scattered ? 0.9 : 0.1};
            weak[i] = new double[] {(scattered ? 1 : 0) + 2 * r.nextGaussian()};
        }
        List<LabelRecorded> truth = PublishGateTest.labels(classes);
        TaskScoring.SampleMetric auc = (p, s) -> TaskScoring.metric(PublishGateTest.PATTERN, p, truth, s);
        assertThat(HeadSelection.beatable(perfect, auc, 40, GATE)).as("a perfect choice").isFalse();
        assertThat(HeadSelection.beatable(weak, auc, 40, GATE)).as("a weak choice").isTrue();
    }
}
