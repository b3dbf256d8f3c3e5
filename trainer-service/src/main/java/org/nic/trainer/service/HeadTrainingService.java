package org.nic.trainer.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.event.LabelRecorded;
import org.nic.event.ModelDecided;
import org.nic.event.ModelPublished;
import org.nic.grid.CompressedGrid;
import org.nic.grid.ZarrGridReader;
import org.nic.hash.Sha256;
import org.nic.label.HeldOutSplit;
import org.nic.label.LabelValidator;
import org.nic.label.PublishGate;
import org.nic.label.TaskDefinition;
import org.nic.model.ModelCard;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.service.messaging.CloudEventSender;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.trainer.config.TrainerConfig;
import org.nic.trust.HeadRefused;
import org.nic.trust.HeadSignature;
import org.nic.trust.SigningKey;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;
import org.nic.training.head.HeadLabel;
import org.nic.training.head.HeadTrainer;
import org.nic.training.metrics.SlideMetrics;

/**
 * Trains a task's head on the labelled slides whose grids exist (found by their deterministic keys),
 * compares it on held-out slides (split by case) with the active head, or with a trivial baseline for a
 * first head, and publishes it only when its gain holds under a paired bootstrap ({@link PublishGate}): ONNX
 * and card to {@code models/heads/{task}/{version}/}, then model-published carrying the interval. Runs one
 * at a time, off the consumer threads.
 */
@ApplicationScoped
public class HeadTrainingService {

    private static final Logger LOG = Logger.getLogger(HeadTrainingService.class);

    /** What a run did, for logs and tests. */
    public record Outcome(String task, boolean published, String version, double metric, Double champion, double baseline,
                          int trainSlides, int heldOutSlides, String reason, PublishGate.Decision decision) {

        /** A run that trained nothing: its labels are those the task's last decision covered. */
        public boolean unchanged() {
            return !published && decision == null && reason.startsWith(UNCHANGED);
        }
    }

    static final String UNCHANGED = "no new labels since the last decision";

    private final ObjectStore store;
    private final LabelStore labels;
    private final TrainerConfig config;
    private final MutinyEmitter<byte[]> published;
    private final MutinyEmitter<byte[]> decided;
    private final String name;
    private final io.micrometer.core.instrument.MeterRegistry metrics;
    private final Map<String, TaskDefinition> tasks = new LinkedHashMap<>();
    private final LabelValidator validator;
    private final Map<String, ModelPublished> champions = new ConcurrentHashMap<>();
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    /** The label snapshot of the last PUBLISHED or REFUSED decision per task and encoder (from model-decided). */
    private final Map<String, String> covered = new ConcurrentHashMap<>();
    /** Tasks with a run queued and not yet started: at most one each. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final TrainerHistory history;
    private final SigningKey signingKey;
    private final TrustedKeys trusted;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nic-head-training");
        t.setDaemon(true);
        return t;
    });

    public HeadTrainingService(ObjectStore store, LabelStore labels, TrainerConfig config, TrainerHistory history,
                               @Channel("model-published") MutinyEmitter<byte[]> published,
                               @Channel("model-decided") MutinyEmitter<byte[]> decided,
                               @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version,
                               io.micrometer.core.instrument.MeterRegistry metrics) {
        this.metrics = metrics;
        this.history = history;
        this.signingKey = SigningKey.read(config.trainer().signingKey());
        this.trusted = config.trust().trustedKeys();
        if (!trusted.ids().contains(signingKey.keyId())) {
            LOG.warnf("the trainer signs heads with key %s, which is not among its own trusted keys %s: predictors that trust"
                    + " the same keys will refuse its heads", signingKey.keyId(), trusted.ids());
        }
        this.store = store;
        this.labels = labels;
        this.config = config;
        this.published = published;
        this.decided = decided;
        this.name = "nic-trainer/" + version;
        config.tasks().forEach((name, t) -> tasks.put(name, new TaskDefinition(name, t.kind(), t.classes().orElse(List.of()))));
        this.validator = new LabelValidator(tasks);
    }

    public LabelValidator validator() {
        return validator;
    }

    public Map<String, TaskDefinition> tasks() {
        return tasks;
    }

    /** The latest outcome of a task's runs, if any. */
    public Outcome lastOutcome(String task) {
        return outcomes.get(task);
    }

    /** Remembers the active head of a task and encoder (from the compacted model-published topic). */
    public void champion(ModelPublished event) {
        champions.merge(event.key(), event, (old, now) -> now);
    }

    /** Remembers what the latest decision of a task and encoder covered (from the model-decided history, in order). */
    public void decided(ModelDecided event) {
        if (event.labelSnapshot() != null
                && (ModelDecided.PUBLISHED.equals(event.decision()) || ModelDecided.REFUSED.equals(event.decision()))) {
            covered.put(event.key(), event.labelSnapshot());
        }
    }

    /** Whether the slide's grid for the trainer's encoder is stored (false when the store cannot say now). */
    public boolean gridExists(String slideId) {
        try {
            return store.exists(store.uri(StorageLayout.grid(slideId, config.trainer().encoderId()) + ".zgroup"));
        } catch (RuntimeException e) {
            LOG.warnf("slide %s: could not ask the store whether its grid exists (%s)", slideId, e.getMessage());
            return false;
        }
    }

    /**
     * Queues a run of the task, unless one is queued already: labels that arrive while it waits are in it, and
     * those that arrive while it runs queue one more. A run starts once the trainer's topics are read as far as
     * they reached at start ({@link TrainerHistory}). Every run is timed ({@code nic.trainer.training}) and
     * counted by outcome ({@code nic.trainer.runs{task, outcome=published|refused|unchanged|waiting|failed}});
     * a run that fails is recorded on model-decided as {@code FAILED} with its reason, for the dashboard and
     * operators.
     *
     * @return whether a run was queued (false: one was pending already)
     */
    public boolean schedule(String task) {
        if (!pending.add(task)) {
            return false;
        }
        runner.submit(() -> {
            try {
                while (!history.await(java.time.Duration.ofMinutes(1))) {
                    LOG.infof("task %s: waiting for the labels, heads and decisions published before this trainer started", task);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pending.remove(task);
            io.micrometer.core.instrument.Timer.Sample sample = io.micrometer.core.instrument.Timer.start(metrics);
            String outcome;
            try {
                Outcome o = train(task);
                outcomes.put(task, o);
                outcome = o.published() ? "published" : o.decision() != null ? "refused" : o.unchanged() ? "unchanged" : "waiting";
            } catch (RuntimeException e) {
                LOG.errorf(e, "training task %s failed", task);
                outcome = "failed";
                TaskDefinition def = tasks.get(task);
                decide(new ModelDecided(task, def.kind().name(), config.trainer().encoderId(), ModelDecided.FAILED, null,
                        metricName(def.kind()), null, null, null, null, null, null, 0, "training failed: " + e, name));
            }
            sample.stop(metrics.timer("nic.trainer.training", "task", task));
            metrics.counter("nic.trainer.runs", "task", task, "outcome", outcome).increment();
        });
        return true;
    }

    Outcome train(String task) {
        TaskDefinition def = tasks.get(task);
        TrainerConfig.Trainer t = config.trainer();
        String encoder = t.encoderId();
        // Labels whose grid is not there yet stay new: slide-encoded will bring them.
        List<LabelRecorded> all = labels.forTask(task).stream().filter(l -> store.exists(store.uri(
                StorageLayout.grid(l.slideId(), encoder) + ".zgroup"))).toList();
        labels.markTrained(task, all);
        String snapshot = snapshotHash(all);
        if (snapshot.equals(covered.get(task + "/" + encoder))) {
            return log(new Outcome(task, false, null, Double.NaN, null, Double.NaN, 0, 0,
                    UNCHANGED + " (" + all.size() + " labels with grids): nothing to train", null));
        }
        HeldOutSplit split = new HeldOutSplit(t.heldOutShare());
        List<CompressedGrid> trainGrids = new ArrayList<>();
        List<LabelRecorded> trainLabels = new ArrayList<>();
        List<CompressedGrid> testGrids = new ArrayList<>();
        List<LabelRecorded> testLabels = new ArrayList<>();
        for (LabelRecorded l : all) {
            String prefix = StorageLayout.grid(l.slideId(), encoder);
            CompressedGrid grid;
            try {
                grid = ZarrGridReader.read(store, l.slideId(), prefix);
            } catch (org.nic.grid.GridCorruptException e) {
                // One damaged grid does not stop the task: that slide sits this run out (the predictor re-encodes it).
                LOG.warnf("task %s: %s; trained without that slide", task, e.getMessage());
                continue;
            }
            if (split.isHeldOut(l.caseId(), l.slideId())) {
                testGrids.add(grid);
                testLabels.add(l);
            } else {
                trainGrids.add(grid);
                trainLabels.add(l);
            }
        }
        ModelPublished champion = champions.get(task + "/" + encoder);
        // Too few held-out slides to judge on alone: a first head is judged on them and on the out-of-fold outputs of
        // the training slides. Not a challenger: the active head was trained on those training slides.
        boolean judgeOutOfFold = testGrids.size() < t.minHeldOut() && champion == null && trainGrids.size() >= 2 * FOLDS;
        if (trainGrids.size() < 4 || testGrids.size() < t.minHeldOut() && !judgeOutOfFold) {
            return log(new Outcome(task, false, null, Double.NaN, null, Double.NaN, trainGrids.size(), testGrids.size(),
                    "not enough slides with grids: " + trainGrids.size() + " to train, " + testGrids.size() + " held out"
                            + (champion != null && trainGrids.size() >= 2 * FOLDS ? " (out-of-fold outputs judge only a first "
                            + "head: the active head was trained on these training slides)" : ""), null));
        }
        LOG.infof("task %s: training a head on %d slides (%d held out%s), encoder %s", task, trainGrids.size(), testGrids.size(),
                judgeOutOfFold ? ", too few alone: judged with the training slides' out-of-fold outputs too" : "", encoder);
        HeadTrainer.Settings settings = new HeadTrainer.Settings(def.kind(), def.classes().size(), t.crop(), t.epochs(),
                t.batchSize(), t.learningRate(), t.seed()).withMinSteps(t.minSteps()).withMembers(t.members());
        HeadTrainer.Result head = chooseAndTrain(def, settings, trainGrids, trainLabels, judgeOutOfFold);
        byte[] onnx = head.onnx();
        double[][] heldOut = predictions(onnx, head.crop(), testGrids);
        List<LabelRecorded> judged = new ArrayList<>(testLabels);
        List<double[]> judgedOutputs = new ArrayList<>(List.of(heldOut));
        if (judgeOutOfFold) {
            double[][] oof = outOfFold(def, settings, trainGrids, trainLabels);
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
                judged.size() - testGrids.size(), FOLDS) : "";
        double baseline = def.kind() == TaskKind.REGRESSION ? 0.0 : 0.5;
        double[][] championPredictions = null;
        if (champion != null) {
            try {
                VerifiedHead verified = VerifiedHead.load(store, champion.modelUri(), champion.cardUri(), champion.sha256(),
                        trusted, config.trust().limits(t.crop(), t.crops()));
                championPredictions = predictions(verified.model(), verified.crop(), testGrids);
            } catch (HeadRefused e) {
                LOG.warnf("task %s: the active head %s is not one this trainer trusts (%s: %s); judging against the baseline",
                        task, champion.headVersion(), e.tag(), e.getMessage());
            }
        }
        double[][] reference = championPredictions;
        PublishGate.Decision gate = new PublishGate(t.gateLevel(), t.gateResamples(), t.minHeldOut(), t.seed())
                .decide(judged.size(), sample -> new double[] {metric(def, challenger, judged, sample),
                        reference == null ? baseline : metric(def, reference, testLabels, sample)},
                        reference == null ? "baseline" : "champion");
        PublishGate.Decision decision = new PublishGate.Decision(gate.publish(), evidence + gate.reason(), gate.metric(),
                gate.metricLower(), gate.metricUpper(), gate.gain(), gate.gainLower());
        int judgedSlides = judged.size();
        double metric = decision.metric();
        Double championMetric = reference == null ? null : metric(def, reference, testLabels, all(testGrids.size()));
        if (!decision.publish()) {
            decide(new ModelDecided(task, def.kind().name(), encoder, ModelDecided.REFUSED, null, metricName(def.kind()),
                    finite(metric), finite(decision.metricLower()), finite(decision.metricUpper()), finite(decision.gain()),
                    finite(decision.gainLower()), trainGrids.size(), judgedSlides, decision.reason(), name, snapshot));
            covered.put(task + "/" + encoder, snapshot);
            return log(new Outcome(task, false, null, metric, championMetric, baseline, trainGrids.size(), judgedSlides,
                    decision.reason(), decision));
        }
        String sha = Sha256.hex(onnx);
        String version = "v" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + sha.substring(0, 8);
        String prefix = "models/heads/" + task + "/" + version + "/";
        String metricName = metricName(def.kind());
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("kind", def.kind().name());
        properties.put("headType", head.type().name());
        properties.put("meanCodeReadout", head.meanCode());
        properties.put("classes", def.classes());
        properties.put("encoderId", encoder);
        properties.put("trainedOnSlides", head.slides());
        properties.put("crop", head.crop());
        properties.put("crops", t.crops());
        properties.put("input", "grid: float32 N x C x crop x crop, a crop of the encoder's grid centred on a tissue cell, "
                + "zero outside the grid");
        properties.put("placement", "a grid that fits in the crop: the whole grid, centred, in the 8 orientations (4 turns x "
                + "flip); a larger one: crops centred on tissue cells spread evenly along the row-major list of tissue cells; "
                + "outputs averaged");
        properties.put("output", switch (def.kind()) {
            case REGRESSION -> "value in the label's units";
            case CLASSIFICATION -> def.classes().size() > 2 ? "softmax probabilities in class order"
                    : "sigmoid probability of the second class";
            case SURVIVAL -> "log-risk (higher = earlier event)";
        });
        properties.put("labelSnapshot", Map.of("count", all.size(), "sha256", snapshot));
        properties.put("publishGate", Map.of("level", t.gateLevel(), "resamples", t.gateResamples(),
                "heldOutInterval", List.of(decision.metricLower(), decision.metricUpper()), "gain", decision.gain(),
                "gainLower", decision.gainLower(), "against", reference == null ? "baseline" : "champion",
                "judgedOn", judgeOutOfFold ? "held-out slides and the training slides' out-of-fold outputs" : "held-out slides",
                "slides", judgedSlides));
        ModelCard card = new ModelCard(task + "-" + version, "head", "model.onnx", sha, "onnx", "grid", "output",
                architecture(head),
                0, List.of(task),
                trainGrids.size() + " training slides, " + testGrids.size() + " held-out slides" + (judgeOutOfFold
                        ? ", judged with the training slides' out-of-fold outputs too (" + judgedSlides + " in all)" : ""), t.seed(),
                Map.of(metricName, metric, "baseline." + metricName, baseline), "trainer-service", "Apache-2.0",
                "NIC trainer-service", Instant.now(), properties);
        byte[] cardBytes = EventJson.toBytes(card);
        HeadSignature signature = signingKey.sign(onnx, cardBytes, name);
        store.put(prefix + "model.onnx", onnx, "application/octet-stream");
        store.put(prefix + "card.json", cardBytes, "application/json");
        store.put(prefix + HeadSignature.FILE_NAME, EventJson.toBytes(signature), "application/json");
        ModelPublished event = new ModelPublished(task, def.kind().name(), encoder, version, store.uri(prefix + "model.onnx").toString(),
                sha, store.uri(prefix + "card.json").toString(), metricName, metric, judgedSlides, decision.reason(),
                decision.metricLower(), decision.metricUpper(), decision.gain(), decision.gainLower());
        CloudEventSender.send(published, event.key(), event.key() + ":" + version, event);
        champions.put(event.key(), event);
        decide(new ModelDecided(task, def.kind().name(), encoder, ModelDecided.PUBLISHED, version, metricName, finite(metric),
                finite(decision.metricLower()), finite(decision.metricUpper()), finite(decision.gain()),
                finite(decision.gainLower()), trainGrids.size(), judgedSlides, decision.reason(), name, snapshot));
        covered.put(event.key(), snapshot);
        return log(new Outcome(task, true, version, metric, championMetric, baseline, trainGrids.size(), judgedSlides,
                decision.reason(), decision));
    }

    /** The card's description of a trained head. */
    static String architecture(HeadTrainer.Result head) {
        return switch (head.type()) {
            case ATTENTION -> "gated attention pooling over tissue cells: 1x1 embedding 128, tanh/sigmoid gates 64, output";
            case ARRANGEMENT_BLEND -> "the mean of two ridge models on the same cell types, one on the log ratios of observed "
                    + "to expected 4-neighbour joins of 8 cell types (k-means of the training codes, soft assignment), one on "
                    + "those and the types' shares, each with its ridge strength chosen by 5-fold cross-validation ("
                    + head.epochLosses().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + (head.epochLosses().size() > 2 ? "; " + head.epochLosses().size() / 2 + " members, each its own draw of "
                    + "types, averaged" : "") + ")";
            case ARRANGEMENT, ARRANGEMENT_COMPOSITION -> (head.epochLosses().size() == 1 ? "ridge model (strength "
                    + head.epochLosses().get(0) + ", chosen by 5-fold cross-validation)"
                    : head.epochLosses().size() + " ridge models averaged (strengths " + head.epochLosses().stream()
                    .map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + ", each chosen by 5-fold cross-validation), each")
                    + " on the log ratios of observed to expected 4-neighbour joins of "
                    + "8 cell types (k-means of the training codes, soft assignment"
                    + (head.epochLosses().size() == 1 ? "" : ", each member its own draw") + ")"
                    + (head.type() == HeadTrainer.Type.ARRANGEMENT_COMPOSITION ? " and the types' shares" : "");
            case GIGAPIXEL -> "gigapixel CNN: 8 depthwise-separable 3x3 convolutions (128), batch norm, LeakyReLU, dropout 0.2; "
                    + "global average pool; composition over 16 cell types; dense 128; output on the dense "
                    + "features and the composition" + (head.meanCode() ? " and the standardised mean tissue code" : "");
        };
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
    HeadTrainer.Result chooseAndTrain(TaskDefinition def, HeadTrainer.Settings settings, List<CompressedGrid> grids,
                                      List<LabelRecorded> truth) {
        return chooseAndTrain(def, settings, grids, truth, false);
    }

    /**
     * As {@link #chooseAndTrain(TaskDefinition, HeadTrainer.Settings, List, List)}; with {@code ridgeOnly}, among the
     * ridge heads only: the procedure the out-of-fold judgement of a first head re-runs per fold ({@link #outOfFold}),
     * where minutes of CNN training per fold are not affordable and a validation quarter of tens of slides could not
     * show a CNN's gain anyway.
     */
    HeadTrainer.Result chooseAndTrain(TaskDefinition def, HeadTrainer.Settings settings, List<CompressedGrid> grids,
                                      List<LabelRecorded> truth, boolean ridgeOnly) {
        List<HeadTrainer.Settings> candidates = candidates(settings);
        List<HeadLabel> all = truth.stream().map(l -> headLabel(def, l)).toList();
        PublishGate gate = new PublishGate(config.trainer().gateLevel(), config.trainer().gateResamples(), 3,
                config.trainer().seed());
        int ridges = (int) candidates.stream().filter(HeadTrainingService::cheap).count();
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
     * The outputs of the whole ridge-only procedure (choice and training) on each training slide from a head that did
     * not see it: {@link #FOLDS} folds by case (salted apart from the choice's own folds), each predicted by the
     * procedure re-run on the others. Null for a slide whose fold leaves fewer than 4 slides to train on. These are
     * the gate's extra evidence for a first head when too few slides are held out: with 40 labelled slides, 9 held-out
     * slides cannot show a gain, 40 judged slides can, and none of them judges a head that saw it.
     */
    double[][] outOfFold(TaskDefinition def, HeadTrainer.Settings settings, List<CompressedGrid> grids,
                         List<LabelRecorded> truth) {
        return crossValidated(grids, truth, "gate-fold:", 4, (in, inTruth) -> chooseAndTrain(def, settings, in, inTruth, true));
    }

    /**
     * Each slide's output from a head fitted without its fold ({@link #FOLDS} folds by case under {@code salt}); null
     * for the slides of a fold that leaves fewer than {@code minFit} slides to fit on.
     */
    double[][] crossValidated(List<CompressedGrid> grids, List<LabelRecorded> truth, String salt, int minFit,
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
    static boolean cheap(HeadTrainer.Settings s) {
        return s.type().ridge();
    }

    /** A candidate trained on the fitting slides, its outputs on the validation slides (logged with their metric). */
    double[][] validate(TaskDefinition def, HeadTrainer.Settings candidate, List<CompressedGrid> fitGrids,
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
    int chooseCheap(TaskDefinition def, List<HeadTrainer.Settings> ridgeHeads, List<CompressedGrid> grids,
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
    static int chooseOrBlend(double[][] joins, double[][] shares, SampleMetric metric, int n, PublishGate gate) {
        if (beats(shares, joins, metric, n, gate)) {
            return 1;
        }
        return beats(joins, shares, metric, n, gate) ? 0 : 2;
    }

    /** Folds of the cheap candidates' cross-validation. */
    static final int FOLDS = 5;

    /** The trainer's head candidates, simplest first. */
    static List<HeadTrainer.Settings> candidates(HeadTrainer.Settings settings) {
        HeadTrainer.Settings cnn = settings.withType(HeadTrainer.Type.GIGAPIXEL);
        return List.of(settings.withType(HeadTrainer.Type.ARRANGEMENT), settings.withType(HeadTrainer.Type.ARRANGEMENT_COMPOSITION),
                settings.withType(HeadTrainer.Type.ARRANGEMENT_BLEND),
                cnn.withMeanCode(false), cnn.withMeanCode(true), settings.withType(HeadTrainer.Type.ATTENTION));
    }

    static String describe(HeadTrainer.Settings s) {
        return s.type() == HeadTrainer.Type.ARRANGEMENT ? "arrangement head (join ratios of cell types)"
                : s.type() == HeadTrainer.Type.ARRANGEMENT_COMPOSITION ? "arrangement head with the cell types' shares"
                : s.type() == HeadTrainer.Type.ARRANGEMENT_BLEND ? "blend of the two arrangement heads (with and without the shares)"
                : s.type() == HeadTrainer.Type.ATTENTION ? "attention head"
                : s.meanCode() ? "gigapixel CNN with the mean-code read-out" : "gigapixel CNN";
    }

    /** A metric of per-slide outputs on a resample of the validation slides. */
    @FunctionalInterface
    interface SampleMetric {
        double of(double[][] predicted, int[] sample);
    }

    /**
     * The index of the chosen candidate: the first (simplest) unless a later one beats the current choice with a
     * gain whose paired-bootstrap lower bound is above zero; a point estimate ahead on a few validation slides
     * does not displace a simpler head.
     */
    static int choose(List<double[][]> predictions, SampleMetric metric, int n, PublishGate gate) {
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
    static boolean beatable(double[][] current, SampleMetric metric, int n, PublishGate gate) {
        return gate.decide(n, sample -> new double[] {1.0, metric.of(current, sample)}, "champion").publish();
    }

    /** Whether the challenger's validation gain over the current choice holds under the gate's paired bootstrap. */
    static boolean beats(double[][] challenger, double[][] current, SampleMetric metric, int n, PublishGate gate) {
        return gate.decide(n, sample -> new double[] {metric.of(challenger, sample), metric.of(current, sample)}, "champion")
                .publish();
    }

    static HeadLabel headLabel(TaskDefinition def, LabelRecorded l) {
        return switch (def.kind()) {
            case REGRESSION -> HeadLabel.regression(l.value());
            case CLASSIFICATION -> HeadLabel.classification(def.classes().indexOf(l.label()));
            case SURVIVAL -> HeadLabel.survival(l.time(), l.event());
        };
    }

    static String metricName(TaskKind kind) {
        return switch (kind) {
            case REGRESSION -> "spearman";
            case CLASSIFICATION -> "auc";
            case SURVIVAL -> "c-index";
        };
    }

    double score(TaskDefinition def, byte[] onnx, int crop, List<CompressedGrid> grids, List<LabelRecorded> truth) {
        return metric(def, predictions(onnx, crop, grids), truth, all(grids.size()));
    }

    /** The head's output on each slide (crops placed on tissue, averaged). */
    double[][] predictions(byte[] onnx, int crop, List<CompressedGrid> grids) {
        int crops = config.trainer().crops();
        try (OnnxHead head = new OnnxHead(onnx)) {
            double[][] out = new double[grids.size()][];
            for (int i = 0; i < grids.size(); i++) {
                out[i] = toDouble(head.predict(grids.get(i), crop, crops));
            }
            return out;
        }
    }

    /** The task's metric of per-slide outputs on the slides {@code sample} (indices, repeats allowed); NaN when undefined. */
    static double metric(TaskDefinition def, double[][] predicted, List<LabelRecorded> truth, int[] sample) {
        int n = sample.length;
        try {
            switch (def.kind()) {
                case REGRESSION -> {
                    double[] p = new double[n];
                    double[] y = new double[n];
                    for (int k = 0; k < n; k++) {
                        p[k] = predicted[sample[k]][0];
                        y[k] = truth.get(sample[k]).value();
                    }
                    return SlideMetrics.spearman(p, y);
                }
                case CLASSIFICATION -> {
                    int classes = def.classes().size();
                    double[][] p = new double[n][];
                    int[] y = new int[n];
                    for (int k = 0; k < n; k++) {
                        double[] out = predicted[sample[k]];
                        p[k] = classes > 2 ? out : new double[] {1 - out[0], out[0]};
                        y[k] = def.classes().indexOf(truth.get(sample[k]).label());
                    }
                    return SlideMetrics.macroAuc(p, y);
                }
                default -> {
                    double[] risk = new double[n];
                    double[] time = new double[n];
                    boolean[] event = new boolean[n];
                    for (int k = 0; k < n; k++) {
                        risk[k] = predicted[sample[k]][0];
                        time[k] = truth.get(sample[k]).time();
                        event[k] = truth.get(sample[k]).event();
                    }
                    return SlideMetrics.concordanceIndex(risk, time, event);
                }
            }
        } catch (IllegalArgumentException e) {
            return Double.NaN; // e.g. a single class among the slides
        }
    }

    static int[] all(int n) {
        int[] a = new int[n];
        java.util.Arrays.setAll(a, i -> i);
        return a;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** SHA-256 of the labels' JSON lines, in the order given (slide id order, as {@link LabelStore#forTask}). */
    public static String snapshotHash(List<LabelRecorded> labels) {
        StringBuilder s = new StringBuilder();
        labels.forEach(l -> s.append(EventJson.toJson(l)).append('\n'));
        return Sha256.hex(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The history record (model-decided); the model itself is already stored and published, so a failure here only logs. */
    private void decide(ModelDecided d) {
        try {
            CloudEventSender.send(decided, d.key(), null, d);
        } catch (RuntimeException e) {
            LOG.errorf(e, "task %s: could not record the decision %s for head %s", d.task(), d.decision(), d.headVersion());
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Outcome log(Outcome o) {
        LOG.infof("task %s: %s (metric %.4f on the judged slides, champion %s, baseline %.2f, %d train / %d judged slides)%s",
                o.task(), o.published() ? "published " + o.version() : "not published", o.metric(), o.champion(), o.baseline(),
                o.trainSlides(), o.heldOutSlides(), ": " + o.reason());
        return o;
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }
}
