package org.nic.trainer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.event.LabelRecorded;
import org.nic.label.TaskDefinition;
import org.nic.model.TaskKind;
import org.nic.stats.PublishGate;

/**
 * The publish gate with the trainer's own metrics: a challenger that beats the champion by more than the
 * old 0.02 margin on a handful of held-out slides is refused; the same kind of gain on a real cohort is not.
 */
class PublishGateTest {

    static final TaskDefinition PATTERN = new TaskDefinition("growth-pattern", TaskKind.CLASSIFICATION,
            List.of("compact", "scattered"));

    @Test
    void aPointEstimateAboveTheOldMarginOnAHandfulOfSlidesIsRefused() {
        // 6 held-out slides, 3 of each class. The challenger ranks them perfectly (AUC 1.0); the champion
        // misorders one pair (AUC 8/9 = 0.889): a gain of 0.111, over five times the old margin of 0.02.
        List<LabelRecorded> truth = labels("compact", "compact", "compact", "scattered", "scattered", "scattered");
        double[][] challenger = {{0.1}, {0.2}, {0.3}, {0.7}, {0.8}, {0.9}};
        double[][] champion = {{0.1}, {0.2}, {0.6}, {0.5}, {0.8}, {0.9}};
        int[] all = TaskScoring.all(6);
        assertThat(TaskScoring.metric(PATTERN, challenger, truth, all)).isEqualTo(1.0);
        assertThat(TaskScoring.metric(PATTERN, champion, truth, all)).isCloseTo(8.0 / 9, org.assertj.core.api.Assertions.within(1e-9));

        PublishGate.Decision d = new PublishGate(0.95, 2000, 5, 17).decide(6, s -> new double[] {
            TaskScoring.metric(PATTERN, challenger, truth, s), TaskScoring.metric(PATTERN, champion, truth, s)},
                "champion");
        assertThat(d.gain()).isGreaterThan(0.02);
        assertThat(d.publish()).as(d.reason()).isFalse();
        assertThat(d.gainLower()).isLessThanOrEqualTo(0);
    }

    @Test
    void aRealGainOnEnoughSlidesIsPublished() {
        // 60 slides: the challenger's scores follow the class closely, the champion's only loosely.
        Random r = new Random(3);
        List<String> classes = new ArrayList<>();
        double[][] challenger = new double[60][];
        double[][] champion = new double[60][];
        for (int i = 0; i < 60; i++) {
            boolean scattered = i % 2 == 1;
            classes.add(scattered ? "scattered" : "compact");
            challenger[i] = new double[] {(scattered ? 1 : 0) + 0.4 * r.nextGaussian()};
            champion[i] = new double[] {(scattered ? 1 : 0) + 1.5 * r.nextGaussian()};
        }
        List<LabelRecorded> truth = labels(classes.toArray(String[]::new));
        PublishGate.Decision d = new PublishGate(0.95, 2000, 5, 17).decide(60, s -> new double[] {
            TaskScoring.metric(PATTERN, challenger, truth, s), TaskScoring.metric(PATTERN, champion, truth, s)},
                "champion");
        assertThat(d.publish()).as(d.reason()).isTrue();
        assertThat(d.metricLower()).isLessThan(d.metric()).isGreaterThan(0.8);
    }

    static List<LabelRecorded> labels(String... classes) {
        List<LabelRecorded> out = new ArrayList<>();
        for (int i = 0; i < classes.length; i++) {
            out.add(new LabelRecorded("s" + i, "c" + i, "growth-pattern", null, classes[i], null, null, "test"));
        }
        return out;
    }
}
