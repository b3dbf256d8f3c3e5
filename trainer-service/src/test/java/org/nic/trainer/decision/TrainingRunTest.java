package org.nic.trainer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.event.LabelRecorded;
import org.nic.grid.CompressedGrid;
import org.nic.label.TaskDefinition;
import org.nic.model.ModelCard;
import org.nic.model.TaskKind;

/**
 * The trainer's decision as plain code, without Quarkus, a broker or a store: labelled grids in, a decision out.
 * The slides' label is the share of "tumour" cells (a composition target a ridge head with the types' shares reads),
 * so a head is expected to be found and to beat the baseline, and a champion that already ranks every slide right
 * is expected to stay.
 */
class TrainingRunTest {

    static final TaskDefinition SHARE = new TaskDefinition("tumour-share", TaskKind.REGRESSION, List.of());
    static final int CHANNELS = 8;
    static final int SIDE = 8;

    static TrainingRun.Policy policy(int minHeldOut) {
        // epochs 2 and no minimum of steps: a CNN candidate, if one is trained at all, takes seconds here.
        return policy(minHeldOut, true);
    }

    static TrainingRun.Policy policy(int minHeldOut, boolean refit) {
        return policy(minHeldOut, 0, refit);
    }

    static TrainingRun.Policy policy(int minHeldOut, int judgedAloneFrom, boolean refit) {
        return new TrainingRun.Policy(0.3, minHeldOut, judgedAloneFrom, 0.95, 500, 16, 4, 2, 8, 1e-3f, 17, 0, 1, refit);
    }

    /** {@code n} slides of 8 x 8 tissue cells; a cell is tumour (channel 0 high) with the slide's own probability. */
    static List<TrainingRun.Slide> slides(int n, long seed) {
        Random r = new Random(seed);
        List<TrainingRun.Slide> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            double p = 0.05 + 0.9 * r.nextDouble();
            float[] codes = new float[CHANNELS * SIDE * SIDE];
            boolean[] tissue = new boolean[SIDE * SIDE];
            int tumour = 0;
            for (int cell = 0; cell < SIDE * SIDE; cell++) {
                tissue[cell] = true;
                boolean t = r.nextDouble() < p;
                tumour += t ? 1 : 0;
                for (int c = 0; c < CHANNELS; c++) {
                    codes[c * SIDE * SIDE + cell] = (float) (0.1 * r.nextGaussian() + (c == (t ? 0 : 1) ? 1.0 : 0.0));
                }
            }
            String id = "slide-" + seed + "-" + s;
            LabelRecorded label = new LabelRecorded(id, "case-" + seed + "-" + s, SHARE.name(), tumour / (double) (SIDE * SIDE),
                    null, null, null, "test");
            out.add(new TrainingRun.Slide(label, new CompressedGrid(id, CHANNELS, SIDE, SIDE, codes, tissue)));
        }
        return out;
    }

    @Test
    void tooFewSlidesAreNotTrainedOnAndTheReasonSaysHowMany() {
        TrainingRun.Decision run = TrainingRun.decide(SHARE, policy(5), slides(6, 1), false, null);
        assertThat(run.trained()).isFalse();
        assertThat(run.publish()).isFalse();
        assertThat(run.trainSlides() + run.heldOutSlides()).isEqualTo(6);
        assertThat(run.reason()).startsWith("not enough slides with grids: " + run.trainSlides() + " to train, "
                + run.heldOutSlides() + " held out");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHeadThatReadsTheCompositionIsPublishedAgainstTheBaselineAndItsCardSaysOnWhat() {
        List<TrainingRun.Slide> slides = slides(60, 2);
        TrainingRun.Decision run = TrainingRun.decide(SHARE, policy(5), slides, false, null);
        assertThat(run.trained()).isTrue();
        assertThat(run.againstChampion()).isFalse();
        assertThat(run.judgedOutOfFold()).isFalse();
        assertThat(run.trainSlides() + run.heldOutSlides()).isEqualTo(60);
        assertThat(run.judgedSlides()).isEqualTo(run.heldOutSlides());
        assertThat(run.baseline()).isZero();
        assertThat(run.metric()).as("held-out Spearman of the share").isGreaterThan(0.8);
        assertThat(run.publish()).as(run.reason()).isTrue();

        ModelCard card = HeadCard.of(SHARE, policy(5), run, "enc-test", "v1", "ab".repeat(32), 60, "snapshot-sha",
                Instant.EPOCH);
        assertThat(card.id()).isEqualTo("tumour-share-v1");
        assertThat(card.metrics()).containsEntry("spearman", run.metric()).containsEntry("baseline.spearman", 0.0);
        Map<String, Object> gate = (Map<String, Object>) card.properties().get("publishGate");
        assertThat(gate).containsEntry("against", "baseline").containsEntry("slides", run.judgedSlides());
        assertThat(card.properties()).containsEntry("encoderId", "enc-test").containsEntry("headType", run.head().type().name())
                .containsEntry("labelSnapshot", Map.of("count", 60, "sha256", "snapshot-sha"));

        // Published: the same candidate trained again on all 60 labelled slides, and its card says so and on which.
        assertThat(run.refit()).isNotNull();
        assertThat(run.published()).isSameAs(run.refit());
        assertThat(run.refit().type()).isEqualTo(run.head().type());
        assertThat(run.head().slides()).isEqualTo(run.trainSlides());
        assertThat(run.refit().slides()).isEqualTo(60);
        assertThat(run.refit().onnx()).isNotEqualTo(run.head().onnx());
        assertThat(card.properties()).containsEntry("trainedOnSlides", 60).containsEntry("refitOnAllLabelled", true);
        assertThat((List<String>) card.properties().get("trainedOnSlideIds"))
                .containsExactlyInAnyOrderElementsOf(slides.stream().map(s -> s.label().slideId()).toList());
        assertThat(card.data()).contains("trained again on all 60 labelled slides");
    }

    @Test
    void withoutRefitTheJudgedHeadIsPublishedAndItsCardListsTheTrainingSideOnly() {
        List<TrainingRun.Slide> slides = slides(60, 2);
        TrainingRun.Decision run = TrainingRun.decide(SHARE, policy(5, false), slides, false, null);
        assertThat(run.publish()).as(run.reason()).isTrue();
        assertThat(run.refit()).isNull();
        assertThat(run.published()).isSameAs(run.head());
        assertThat(run.trainedOn()).hasSize(run.trainSlides()).hasSizeLessThan(60);
    }

    @Test
    void heldOutSlidesTheChampionLearntFromDoNotJudgeItAndTheChallengerTrainsOnThem() {
        List<TrainingRun.Slide> slides = slides(60, 2);
        TrainingRun.Decision first = TrainingRun.decide(SHARE, policy(5, false), slides, false, null);
        java.util.Set<String> heldOut = new java.util.HashSet<>(slides.stream().map(s -> s.label().slideId()).toList());
        first.trainedOn().forEach(heldOut::remove);
        assertThat(heldOut).hasSize(first.heldOutSlides()).hasSizeGreaterThan(8);
        // A champion refit on the training side and on all but 6 of the held-out slides: those 6 alone judge.
        java.util.Set<String> saw = new java.util.HashSet<>(first.trainedOn());
        List<String> unseen = heldOut.stream().sorted().limit(6).toList();
        heldOut.stream().filter(id -> !unseen.contains(id)).forEach(saw::add);
        List<List<CompressedGrid>> asked = new ArrayList<>();
        TrainingRun.Champion champion = new TrainingRun.Champion() {
            @Override
            public double[][] outputs(List<CompressedGrid> grids) {
                asked.add(grids);
                return grids.stream().map(g -> new double[] {0.5}).toArray(double[][]::new);
            }

            @Override
            public java.util.Set<String> trainedOn() {
                return saw;
            }
        };
        TrainingRun.Decision run = TrainingRun.decide(SHARE, policy(5), slides, true, champion);
        assertThat(run.heldOutSlides()).isEqualTo(6);
        assertThat(run.trainSlides()).isEqualTo(54);
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).stream().map(CompressedGrid::slideId).toList()).containsExactlyInAnyOrderElementsOf(unseen);

        // A champion that learnt from every labelled slide: nothing can judge a challenger until new labels come.
        java.util.Set<String> all = new java.util.HashSet<>(slides.stream().map(s -> s.label().slideId()).toList());
        TrainingRun.Decision waits = TrainingRun.decide(SHARE, policy(5), slides, true, new TrainingRun.Champion() {
            @Override
            public double[][] outputs(List<CompressedGrid> grids) {
                throw new AssertionError("a champion with nothing to be judged on is not asked");
            }

            @Override
            public java.util.Set<String> trainedOn() {
                return all;
            }
        });
        assertThat(waits.trained()).isFalse();
        assertThat(waits.reason()).startsWith("not enough slides with grids: 60 to train, 0 held out that the active head did "
                + "not train on");
    }

    @Test
    void aChampionThatRanksEveryHeldOutSlideRightIsNotDisplaced() {
        List<TrainingRun.Slide> slides = slides(60, 2);
        Map<String, Double> truth = new java.util.HashMap<>();
        slides.forEach(s -> truth.put(s.grid().slideId(), s.label().value()));
        List<List<CompressedGrid>> asked = new ArrayList<>();
        TrainingRun.Decision run = TrainingRun.decide(SHARE, policy(5), slides, true, heldOut -> {
            asked.add(heldOut);
            return heldOut.stream().map(g -> new double[] {truth.get(g.slideId())}).toArray(double[][]::new);
        });
        assertThat(asked).as("the champion is asked once, for the held-out grids").hasSize(1);
        assertThat(asked.get(0)).hasSize(run.heldOutSlides());
        assertThat(run.trained()).isTrue();
        assertThat(run.againstChampion()).isTrue();
        assertThat(run.championMetric()).isEqualTo(1.0);
        assertThat(run.publish()).as(run.reason()).isFalse();
    }

    @Test
    void aFirstHeadWithTooFewHeldOutSlidesIsJudgedWithTheTrainingSlidesOutOfFoldOutputsButAChallengerIsNot() {
        List<TrainingRun.Slide> slides = slides(30, 3);
        // More held-out slides asked for than there are: alone they cannot judge.
        TrainingRun.Decision first = TrainingRun.decide(SHARE, policy(25), slides, false, null);
        assertThat(first.trained()).isTrue();
        assertThat(first.judgedOutOfFold()).isTrue();
        assertThat(first.judgedSlides()).isGreaterThan(first.heldOutSlides()).isLessThanOrEqualTo(30);
        assertThat(first.reason()).startsWith("judged on " + first.heldOutSlides() + " held-out slides and the out-of-fold");

        TrainingRun.Decision challenger = TrainingRun.decide(SHARE, policy(25), slides, true, heldOut -> null);
        assertThat(challenger.trained()).isFalse();
        assertThat(challenger.reason()).contains("out-of-fold outputs judge only a first head");
    }

    @Test
    void underJudgedAloneFromAFirstHeadIsJudgedOutOfFoldTooThoughItsHeldOutSlidesAreEnoughForTheFloor() {
        List<TrainingRun.Slide> slides = slides(30, 3);
        TrainingRun.Decision alone = TrainingRun.decide(SHARE, policy(3, 0, false), slides, false, null);
        assertThat(alone.judgedOutOfFold()).isFalse();
        assertThat(alone.heldOutSlides()).isGreaterThanOrEqualTo(3);
        assertThat(alone.judgedSlides()).isEqualTo(alone.heldOutSlides());

        TrainingRun.Decision withFolds = TrainingRun.decide(SHARE, policy(3, 25, false), slides, false, null);
        assertThat(withFolds.heldOutSlides()).isEqualTo(alone.heldOutSlides());
        assertThat(withFolds.judgedOutOfFold()).isTrue();
        assertThat(withFolds.judgedSlides()).isGreaterThan(withFolds.heldOutSlides()).isLessThanOrEqualTo(30);
        assertThat(withFolds.reason()).startsWith("judged on " + withFolds.heldOutSlides() + " held-out slides and the out-of-fold");

        // A challenger is never judged on the training slides' out-of-fold outputs: the active head learnt from them.
        TrainingRun.Decision challenger = TrainingRun.decide(SHARE, policy(3, 25, false), slides, true, heldOut -> null);
        assertThat(challenger.judgedOutOfFold()).isFalse();
        assertThat(challenger.judgedSlides()).isEqualTo(challenger.heldOutSlides());
    }
}
