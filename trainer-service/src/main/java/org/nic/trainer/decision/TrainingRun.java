package org.nic.trainer.decision;

import static org.nic.trainer.decision.TaskScoring.all;
import static org.nic.trainer.decision.TaskScoring.metric;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;
import org.nic.event.LabelRecorded;
import org.nic.grid.CompressedGrid;
import org.nic.label.HeldOutSplit;
import org.nic.label.TaskDefinition;
import org.nic.stats.PublishGate;
import org.nic.training.head.HeadTrainer;

/**
 * One training run of a task, as a decision: the labelled slides split by case into training and held-out slides, a
 * head chosen and trained on the training slides ({@link HeadSelection}), judged on the held-out slides against the
 * active head (or, for a first head, a trivial baseline) under the publish gate's paired bootstrap. With too few
 * held-out slides for a first head, the training slides' out-of-fold outputs judge too. Once the gate passes, the
 * chosen head is trained again on every labelled slide ({@link Policy#refit}): the held-out slides judged the
 * procedure, and at tens of slides a head that also learns from them is the better head (docs/heads.md). Such a head
 * has seen every slide labelled up to its version, so when it is the active head, only held-out slides it did not
 * train on judge a challenger ({@link Champion#trainedOn}). Plain code: labelled grids and the active head's outputs
 * in, the decision out; storing, signing and publishing are the service's.
 */
public final class TrainingRun {

    private static final Logger LOG = Logger.getLogger(TrainingRun.class);

    /**
     * The trainer's settings that shape a run (those of {@code nic.trainer.*}).
     *
     * @param judgedAloneFrom how many held-out slides judge a first head alone ({@code nic.trainer.judged-alone-from}); with
     *                        fewer (and under {@code minHeldOut} in any case), the training slides' out-of-fold outputs
     *                        judge it too
     * @param refit whether a head that passed the gate is trained again, the same candidate, on every labelled slide
     *              before it is published ({@code nic.trainer.refit})
     */
    public record Policy(double heldOutShare, int minHeldOut, int judgedAloneFrom, double gateLevel, int gateResamples, int crop, int crops,
                         int epochs, int batchSize, float learningRate, long seed, int minSteps, int members, boolean refit) {

        HeadTrainer.Settings settings(TaskDefinition def) {
            return new HeadTrainer.Settings(def.kind(), def.classes().size(), crop, epochs, batchSize, learningRate, seed)
                    .withMinSteps(minSteps).withMembers(members);
        }
    }

    /** A labelled slide and its grid. */
    public record Slide(LabelRecorded label, CompressedGrid grid) {
    }

    /** The active head, to judge a challenger against: its outputs on the held-out grids; null when it cannot judge. */
    @FunctionalInterface
    public interface Champion {
        double[][] outputs(List<CompressedGrid> heldOut);

        /**
         * The slides the active head was trained on (its card's {@code trainedOnSlideIds}; empty for a head that does
         * not list them, which learnt from the training side of the same split alone): held-out slides among them do
         * not judge it, they join the challenger's training slides.
         */
        default Set<String> trainedOn() {
            return Set.of();
        }
    }

    /**
     * What a run decided. {@code head} is null when there were too few slides to train ({@code reason} says so); else
     * {@code gate} says whether it is published, on how many judged slides, against the champion or the baseline.
     * {@code refit} is the same candidate trained on every labelled slide once the gate passed (null: not refit), and
     * {@code trainedOn} the slide ids of the head to publish ({@link #published}).
     */
    public record Decision(int trainSlides, int heldOutSlides, int judgedSlides, boolean judgedOutOfFold, HeadTrainer.Result head,
                           PublishGate.Decision gate, double baseline, Double championMetric, boolean againstChampion,
                           String reason, HeadTrainer.Result refit, List<String> trainedOn) {

        public boolean trained() {
            return head != null;
        }

        /** The head to publish: the refit one where there is one, else the one the gate judged. */
        public HeadTrainer.Result published() {
            return refit != null ? refit : head;
        }

        public boolean publish() {
            return gate != null && gate.publish();
        }

        public double metric() {
            return gate == null ? Double.NaN : gate.metric();
        }
    }

    private TrainingRun() {
    }

    /**
     * Decides a run.
     *
     * @param slides      the task's labelled slides with grids, in label order
     * @param hasChampion whether the task has an active head (its outputs may still be unavailable: {@code champion})
     * @param champion    the active head's outputs, or null: judged against the baseline
     */
    public static Decision decide(TaskDefinition def, Policy policy, List<Slide> slides, boolean hasChampion, Champion champion) {
        HeldOutSplit split = new HeldOutSplit(policy.heldOutShare());
        Set<String> championSaw = champion == null ? Set.of() : champion.trainedOn();
        List<CompressedGrid> trainGrids = new ArrayList<>();
        List<LabelRecorded> trainLabels = new ArrayList<>();
        List<CompressedGrid> testGrids = new ArrayList<>();
        List<LabelRecorded> testLabels = new ArrayList<>();
        int seenByChampion = 0;
        for (Slide s : slides) {
            boolean heldOut = split.isHeldOut(s.label().caseId(), s.label().slideId());
            if (heldOut && championSaw.contains(s.label().slideId())) {
                // The active head learnt from this slide: it cannot judge it, and the challenger may learn from it too.
                heldOut = false;
                seenByChampion++;
            }
            if (heldOut) {
                testGrids.add(s.grid());
                testLabels.add(s.label());
            } else {
                trainGrids.add(s.grid());
                trainLabels.add(s.label());
            }
        }
        int folds = HeadSelection.FOLDS;
        // Too few held-out slides to judge on alone: a first head is judged on them and on the out-of-fold outputs of
        // the training slides. Not a challenger: the active head was trained on those training slides.
        int judgedAlone = Math.max(policy.minHeldOut(), policy.judgedAloneFrom());
        boolean judgeOutOfFold = testGrids.size() < judgedAlone && !hasChampion && trainGrids.size() >= 2 * folds;
        if (trainGrids.size() < 4 || testGrids.size() < policy.minHeldOut() && !judgeOutOfFold) {
            return new Decision(trainGrids.size(), testGrids.size(), 0, false, null, null, Double.NaN, null, false,
                    "not enough slides with grids: " + trainGrids.size() + " to train, " + testGrids.size() + " held out"
                            + (seenByChampion > 0 ? " that the active head did not train on (it learnt from " + seenByChampion
                            + " more held-out slides; new labels bring unseen ones)" : "")
                            + (hasChampion && trainGrids.size() >= 2 * folds ? " (out-of-fold outputs judge only a first "
                            + "head: the active head was trained on these training slides)" : ""), null, List.of());
        }
        LOG.infof("task %s: training a head on %d slides (%d held out%s)", def.name(), trainGrids.size(), testGrids.size(),
                judgeOutOfFold ? ", too few alone: judged with the training slides' out-of-fold outputs too" : "");
        HeadTrainer.Settings settings = policy.settings(def);
        HeadSelection selection = new HeadSelection(policy.gateLevel(), policy.gateResamples(), policy.seed(), policy.crops());
        HeadTrainer.Result head = selection.chooseAndTrain(def, settings, trainGrids, trainLabels, judgeOutOfFold);
        double[][] heldOut = selection.predictions(head.onnx(), head.crop(), testGrids);
        List<LabelRecorded> judged = new ArrayList<>(testLabels);
        List<double[]> judgedOutputs = new ArrayList<>(List.of(heldOut));
        if (judgeOutOfFold) {
            double[][] oof = selection.outOfFold(def, settings, trainGrids, trainLabels);
            for (int i = 0; i < oof.length; i++) {
                if (oof[i] != null) {
                    judged.add(trainLabels.get(i));
                    judgedOutputs.add(oof[i]);
                }
            }
        }
        double[][] challenger = judgedOutputs.toArray(double[][]::new);
        String evidence = judgeOutOfFold ? String.format("judged on %d held-out slides and the out-of-fold outputs of %d training "
                + "slides (the choice and training re-run without each of %d folds by case); ", testGrids.size(),
                judged.size() - testGrids.size(), folds) : "";
        double baseline = TaskScoring.baseline(def.kind());
        double[][] reference = champion == null ? null : champion.outputs(testGrids);
        PublishGate.Decision gate = new PublishGate(policy.gateLevel(), policy.gateResamples(), policy.minHeldOut(), policy.seed())
                .decide(judged.size(), sample -> new double[] {metric(def, challenger, judged, sample),
                        reference == null ? baseline : metric(def, reference, testLabels, sample)},
                        reference == null ? "baseline" : "champion");
        PublishGate.Decision decision = new PublishGate.Decision(gate.publish(), evidence + gate.reason(), gate.metric(),
                gate.metricLower(), gate.metricUpper(), gate.gain(), gate.gainLower());
        Double championMetric = reference == null ? null : metric(def, reference, testLabels, all(testGrids.size()));
        HeadTrainer.Result refit = null;
        List<String> trainedOn = trainLabels.stream().map(LabelRecorded::slideId).toList();
        if (decision.publish() && policy.refit() && !testGrids.isEmpty()) {
            List<CompressedGrid> allGrids = new ArrayList<>(trainGrids);
            allGrids.addAll(testGrids);
            List<LabelRecorded> allLabels = new ArrayList<>(trainLabels);
            allLabels.addAll(testLabels);
            refit = selection.refit(def, settings, head, allGrids, allLabels);
            if (refit != null) {
                trainedOn = allLabels.stream().map(LabelRecorded::slideId).toList();
            }
        }
        return new Decision(trainGrids.size(), testGrids.size(), judged.size(), judgeOutOfFold, head, decision, baseline,
                championMetric, reference != null, decision.reason(), refit, trainedOn);
    }
}
