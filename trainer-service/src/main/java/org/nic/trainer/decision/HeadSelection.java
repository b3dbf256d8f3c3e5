package org.nic.trainer.decision;

import static org.nic.trainer.decision.TaskScoring.all;
import static org.nic.trainer.decision.TaskScoring.headLabel;
import static org.nic.trainer.decision.TaskScoring.metric;
import static org.nic.trainer.decision.TaskScoring.metricName;

import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.nic.event.LabelRecorded;
import org.nic.grid.CompressedGrid;
import org.nic.label.HeldOutSplit;
import org.nic.label.TaskDefinition;
import org.nic.model.OnnxHead;
import org.nic.stats.PublishGate;
import org.nic.trainer.decision.TaskScoring.SampleMetric;
import org.nic.training.head.HeadLabel;
import org.nic.training.head.HeadTrainer;

/**
 * Which head the trainer trains for a task: its candidates, simplest first, and the choice among them on the training
 * slides alone (out-of-fold outputs for the ridge heads, a validation split by case for the CNNs), each gain judged
 * under the publish gate's paired bootstrap. Plain code: grids and labels in, a trained head out; no store, no events.
 */
public final class HeadSelection {

    private static final Logger LOG = Logger.getLogger(HeadSelection.class);

    /** The choice's gate: the publish gate's level, resamples and seed, judging on as few as 3 slides. */
    private final PublishGate gate;
    private final int crops;

    /**
     * @param gateLevel     the paired bootstrap's confidence level for a gain (the publish gate's)
     * @param gateResamples its resamples
     * @param seed          its seed
     * @param crops         crops per slide when a head predicts a grid larger than its crop
     */
    public HeadSelection(double gateLevel, int gateResamples, long seed, int crops) {
        this.gate = new PublishGate(gateLevel, gateResamples, 3, seed);
        this.crops = crops;
    }

    /**
     * The candidates, simplest first: the arrangement head (a ridge model on the join ratios of cell types), the same
     * with the types' shares, the gigapixel CNN (arrangement and composition branches), the same with
     * its output also reading the standardised mean tissue code, and the attention head. A later candidate replaces
     * the current choice only when its gain holds under the same paired bootstrap as the publish gate
     * ({@link #choose}). The two ridge models train in seconds and are judged on their out-of-fold outputs over all
     * the training slides ({@link #chooseCheap}); the CNNs take minutes, so each is trained once on most of the
     * training slides and judged on the rest (a validation split by case, independent of the held-out one) against
     * the ridge choice trained the same way. The chosen one is then trained again on all the training slides: the
     * validation slides choose, they are not given up. The held-out slides stay unseen.
     *
     * Why the mean-code read-out must earn its place: it is what makes composition targets easy (a linear
     * read-out of "how much of X"), but its 128 inputs are noise for an arrangement target, and a head fitted
     * on them carries that noise to new patients, whose mean codes lie several training spreads away
     * (docs/heads.md: the live growth-pattern heads of 2026-12-04/05 scored 0.874 and 0.636 on the test
     * patients with it, 1.000 and 0.989 with it held at the training slides' mean).
     */
    public HeadTrainer.Result chooseAndTrain(TaskDefinition def, HeadTrainer.Settings settings, List<CompressedGrid> grids,
                                      List<LabelRecorded> truth) {
        return chooseAndTrain(def, settings, grids, truth, false);
    }

    /**
     * As {@link #chooseAndTrain(TaskDefinition, HeadTrainer.Settings, List, List)}; with {@code ridgeOnly}, among the
     * ridge heads only: the procedure the out-of-fold judgement of a first head re-runs per fold ({@link #outOfFold}),
     * where minutes of CNN training per fold are not affordable and a validation quarter of tens of slides could not
     * show a CNN's gain anyway.
     */
    public HeadTrainer.Result chooseAndTrain(TaskDefinition def, HeadTrainer.Settings settings, List<CompressedGrid> grids,
                                      List<LabelRecorded> truth, boolean ridgeOnly) {
        List<HeadTrainer.Settings> candidates = candidates(settings);
        List<HeadLabel> all = truth.stream().map(l -> headLabel(def, l)).toList();
        int ridges = (int) candidates.stream().filter(HeadSelection::cheap).count();
        int chosen = chooseCheap(def, candidates.subList(0, ridges), grids, truth, gate);

        HeldOutSplit validation = new HeldOutSplit(0.25, "validation:");
        List<CompressedGrid> fitGrids = new ArrayList<>();
        List<HeadLabel> fitLabels = new ArrayList<>();
        List<CompressedGrid> valGrids = new ArrayList<>();
        List<LabelRecorded> valLabels = new ArrayList<>();
        for (int i = 0; i < grids.size(); i++) {
            if (validation.isHeldOut(truth.get(i).caseId(), truth.get(i).slideId())) {
                valGrids.add(grids.get(i));
                valLabels.add(truth.get(i));
            } else {
                fitGrids.add(grids.get(i));
                fitLabels.add(headLabel(def, truth.get(i)));
            }
        }
        if (!ridgeOnly && ridges < candidates.size() && fitGrids.size() >= 4 && valGrids.size() >= 3) {
            SampleMetric validationMetric = (predicted, sample) -> metric(def, predicted, valLabels, sample);
            double[][] current = validate(def, candidates.get(chosen), fitGrids, fitLabels, valGrids, valLabels);
            for (int k = ridges; k < candidates.size(); k++) {
                // When not even a perfect challenger could beat the current choice on these validation slides, the
                // richer candidates' minutes of training cannot change the choice: they are not trained.
                if (!beatable(current, validationMetric, valGrids.size(), gate)) {
                    LOG.infof("task %s: no candidate could beat %s on these %d validation slides; the later candidates are "
                            + "not trained", def.name(), describe(candidates.get(chosen)), valGrids.size());
                    break;
                }
                double[][] challenger = validate(def, candidates.get(k), fitGrids, fitLabels, valGrids, valLabels);
                if (beats(challenger, current, validationMetric, valGrids.size(), gate)) {
                    chosen = k;
                    current = challenger;
                }
            }
        }
        LOG.infof("task %s: %s chosen, trained again on all %d training slides", def.name(), describe(candidates.get(chosen)),
                grids.size());
        return HeadTrainer.train(grids, all, candidates.get(chosen));
    }

    /**
     * The chosen head's candidate trained again on {@code grids} (every labelled slide, once the gate has judged the
     * head trained without the held-out ones), with the same settings and seed: the same kind of head, more slides.
     * Null when the refit's output is not finite on every one of its slides: the judged head is published instead.
     */
    public HeadTrainer.Result refit(TaskDefinition def, HeadTrainer.Settings settings, HeadTrainer.Result chosen,
                                    List<CompressedGrid> grids, List<LabelRecorded> truth) {
        HeadTrainer.Settings candidate = candidates(settings).stream()
                .filter(c -> c.type() == chosen.type() && (c.type() != HeadTrainer.Type.GIGAPIXEL || c.meanCode() == chosen.meanCode()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no candidate of type " + chosen.type()));
        HeadTrainer.Result refit = HeadTrainer.train(grids, truth.stream().map(l -> headLabel(def, l)).toList(), candidate);
        for (double[] out : predictions(refit.onnx(), refit.crop(), grids)) {
            for (double v : out) {
                if (!Double.isFinite(v)) {
                    LOG.warnf("task %s: the %s refit on all %d labelled slides gives a non-finite output; the head the gate "
                            + "judged is published instead", def.name(), describe(candidate), grids.size());
                    return null;
                }
            }
        }
        LOG.infof("task %s: %s trained again on all %d labelled slides (the gate judged it trained on %d)", def.name(),
                describe(candidate), grids.size(), chosen.slides());
        return refit;
    }

    /**
     * The outputs of the whole ridge-only procedure (choice and training) on each training slide from a head that did
     * not see it: {@link #FOLDS} folds by case (salted apart from the choice's own folds), each predicted by the
     * procedure re-run on the others. Null for a slide whose fold leaves fewer than 4 slides to train on. These are
     * the gate's extra evidence for a first head when too few slides are held out: with 40 labelled slides, 9 held-out
     * slides cannot show a gain, 40 judged slides can, and none of them judges a head that saw it.
     */
    public double[][] outOfFold(TaskDefinition def, HeadTrainer.Settings settings, List<CompressedGrid> grids,
                         List<LabelRecorded> truth) {
        return crossValidated(grids, truth, "gate-fold:", 4, (in, inTruth) -> chooseAndTrain(def, settings, in, inTruth, true));
    }

    /**
     * Each slide's output from a head fitted without its fold ({@link #FOLDS} folds by case under {@code salt}); null
     * for the slides of a fold that leaves fewer than {@code minFit} slides to fit on.
     */
    public double[][] crossValidated(List<CompressedGrid> grids, List<LabelRecorded> truth, String salt, int minFit,
                              java.util.function.BiFunction<List<CompressedGrid>, List<LabelRecorded>, HeadTrainer.Result> fit) {
        double[][] out = new double[grids.size()][];
        for (int f = 0; f < FOLDS; f++) {
            List<CompressedGrid> in = new ArrayList<>();
            List<LabelRecorded> inTruth = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < grids.size(); i++) {
                if (HeldOutSplit.fold(salt, truth.get(i).caseId(), truth.get(i).slideId(), FOLDS) == f) {
                    held.add(i);
                } else {
                    in.add(grids.get(i));
                    inTruth.add(truth.get(i));
                }
            }
            if (held.isEmpty() || in.size() < minFit) {
                continue;
            }
            HeadTrainer.Result r = fit.apply(in, inTruth);
            double[][] p = predictions(r.onnx(), r.crop(), held.stream().map(grids::get).toList());
            for (int j = 0; j < held.size(); j++) {
                out[held.get(j)] = p[j];
            }
        }
        return out;
    }

    /** Whether a candidate trains in seconds (a ridge model), so that it can be cross-validated. */
    public static boolean cheap(HeadTrainer.Settings s) {
        return s.type().ridge();
    }

    /** A candidate trained on the fitting slides, its outputs on the validation slides (logged with their metric). */
    public double[][] validate(TaskDefinition def, HeadTrainer.Settings candidate, List<CompressedGrid> fitGrids,
                        List<HeadLabel> fitLabels, List<CompressedGrid> valGrids, List<LabelRecorded> valLabels) {
        HeadTrainer.Result r = HeadTrainer.train(fitGrids, fitLabels, candidate);
        double[][] out = predictions(r.onnx(), r.crop(), valGrids);
        LOG.infof("task %s: %s, validation %s %.4f on %d slides", def.name(), describe(candidate), metricName(def.kind()),
                metric(def, out, valLabels, all(valGrids.size())), valGrids.size());
        return out;
    }

    /**
     * The choice among the cheap (ridge) candidates, simplest first, on their out-of-fold outputs over all the
     * training slides ({@link #FOLDS} folds by case): every training slide judges, not a validation quarter, so a
     * clear gain is seen with tens of slides (8 validation slides rarely show one, and the first candidate, blind to
     * composition, would stay by default). When the ridge heads' list ends with their blend, it is not scored: it is
     * chosen when neither of the two others beats the other ({@link #chooseOrBlend}). Too few slides for folds: the
     * blend where there is one (nothing can choose between the two), else the first.
     */
    public int chooseCheap(TaskDefinition def, List<HeadTrainer.Settings> ridgeHeads, List<CompressedGrid> grids,
                    List<LabelRecorded> truth, PublishGate gate) {
        int blend = ridgeHeads.get(ridgeHeads.size() - 1).type() == HeadTrainer.Type.ARRANGEMENT_BLEND
                ? ridgeHeads.size() - 1 : -1;
        List<HeadTrainer.Settings> scoredHeads = blend < 0 ? ridgeHeads : ridgeHeads.subList(0, blend);
        if (scoredHeads.size() < 2 || grids.size() < 2 * FOLDS) {
            return blend == 2 ? blend : 0;
        }
        SampleMetric oofMetric = (predicted, sample) -> metric(def, predicted, truth, sample);
        List<double[][]> scored = new ArrayList<>();
        for (HeadTrainer.Settings candidate : scoredHeads) {
            double[][] oof = crossValidated(grids, truth, "fold:", 1, (in, inTruth) -> HeadTrainer.train(in,
                    inTruth.stream().map(l -> headLabel(def, l)).toList(), candidate));
            scored.add(oof);
            LOG.infof("task %s: %s, out-of-fold %s %.4f on %d slides", def.name(), describe(candidate),
                    metricName(def.kind()), metric(def, oof, truth, all(grids.size())), grids.size());
        }
        if (blend == 2) {
            int chosen = chooseOrBlend(scored.get(0), scored.get(1), oofMetric, grids.size(), gate);
            if (chosen == 2) {
                LOG.infof("task %s: neither ridge head's out-of-fold gain over the other holds: their blend is chosen",
                        def.name());
            }
            return chosen;
        }
        return choose(scored, oofMetric, grids.size(), gate);
    }

    /**
     * Between the two ridge heads (joins only, then with the shares): the one whose gain over the other holds under
     * the gate's paired bootstrap (the second first, as the richer one must earn its place); when neither's does, their
     * blend (2). Why not the simpler one, as among the CNNs: the two differ by a few features and train in seconds, so
     * the blend costs nothing, and picking one of two heads that score alike let the test patients pay for a coin toss
     * (cohort 2038: survival 0.909 of the truth with the joins-only head, 0.98 with the other; docs/results-history.md).
     */
    public static int chooseOrBlend(double[][] joins, double[][] shares, SampleMetric metric, int n, PublishGate gate) {
        if (beats(shares, joins, metric, n, gate)) {
            return 1;
        }
        return beats(joins, shares, metric, n, gate) ? 0 : 2;
    }

    /** Folds of the cheap candidates' cross-validation. */
    public static final int FOLDS = 5;

    /** The trainer's head candidates, simplest first. */
    public static List<HeadTrainer.Settings> candidates(HeadTrainer.Settings settings) {
        HeadTrainer.Settings cnn = settings.withType(HeadTrainer.Type.GIGAPIXEL);
        return List.of(settings.withType(HeadTrainer.Type.ARRANGEMENT), settings.withType(HeadTrainer.Type.ARRANGEMENT_COMPOSITION),
                settings.withType(HeadTrainer.Type.ARRANGEMENT_BLEND),
                cnn.withMeanCode(false), cnn.withMeanCode(true), settings.withType(HeadTrainer.Type.ATTENTION));
    }

    public static String describe(HeadTrainer.Settings s) {
        return s.type() == HeadTrainer.Type.ARRANGEMENT ? "arrangement head (join ratios of cell types)"
                : s.type() == HeadTrainer.Type.ARRANGEMENT_COMPOSITION ? "arrangement head with the cell types' shares"
                : s.type() == HeadTrainer.Type.ARRANGEMENT_BLEND ? "blend of the two arrangement heads (with and without the shares)"
                : s.type() == HeadTrainer.Type.ATTENTION ? "attention head"
                : s.meanCode() ? "gigapixel CNN with the mean-code read-out" : "gigapixel CNN";
    }

    /**
     * The index of the chosen candidate: the first (simplest) unless a later one beats the current choice with a
     * gain whose paired-bootstrap lower bound is above zero; a point estimate ahead on a few validation slides
     * does not displace a simpler head.
     */
    public static int choose(List<double[][]> predictions, SampleMetric metric, int n, PublishGate gate) {
        int chosen = 0;
        for (int k = 1; k < predictions.size(); k++) {
            if (beats(predictions.get(k), predictions.get(chosen), metric, n, gate)) {
                chosen = k;
            }
        }
        return chosen;
    }

    /**
     * Whether any challenger could displace the current choice on these validation slides: one scoring the metric's
     * maximum (1) on every resample would have to pass the gate. With a few slides and a near-perfect choice, none can.
     */
    public static boolean beatable(double[][] current, SampleMetric metric, int n, PublishGate gate) {
        return gate.decide(n, sample -> new double[] {1.0, metric.of(current, sample)}, "champion").publish();
    }

    /** Whether the challenger's validation gain over the current choice holds under the gate's paired bootstrap. */
    public static boolean beats(double[][] challenger, double[][] current, SampleMetric metric, int n, PublishGate gate) {
        return gate.decide(n, sample -> new double[] {metric.of(challenger, sample), metric.of(current, sample)}, "champion")
                .publish();
    }

    /** The head's output on each slide (crops placed on tissue, averaged). */
    public double[][] predictions(byte[] onnx, int crop, List<CompressedGrid> grids) {
        return predictions(onnx, crop, crops, grids);
    }

    /** A head's output on each slide: up to {@code crops} crops placed on tissue, averaged. */
    public static double[][] predictions(byte[] onnx, int crop, int crops, List<CompressedGrid> grids) {
        try (OnnxHead head = new OnnxHead(onnx)) {
            double[][] out = new double[grids.size()][];
            for (int i = 0; i < grids.size(); i++) {
                out[i] = toDouble(head.predict(grids.get(i), crop, crops));
            }
            return out;
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
