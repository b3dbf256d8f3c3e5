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
import org.nic.grid.ZarrGridReader;
import org.nic.hash.Sha256;
import org.nic.label.LabelValidator;
import org.nic.label.TaskDefinition;
import org.nic.model.ModelCard;
import org.nic.service.messaging.CloudEventSender;
import org.nic.stats.PublishGate;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.trainer.config.TrainerConfig;
import org.nic.trainer.decision.HeadCard;
import org.nic.trainer.decision.HeadSelection;
import org.nic.trainer.decision.TaskScoring;
import org.nic.trainer.decision.TrainingRun;
import org.nic.trust.HeadRefused;
import org.nic.trust.HeadSignature;
import org.nic.trust.SigningKey;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;

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
                        TaskScoring.metricName(def.kind()), null, null, null, null, null, null, 0, "training failed: " + e, name));
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
        List<TrainingRun.Slide> slides = new ArrayList<>();
        for (LabelRecorded l : all) {
            try {
                slides.add(new TrainingRun.Slide(l, ZarrGridReader.read(store, l.slideId(), StorageLayout.grid(l.slideId(), encoder))));
            } catch (org.nic.grid.GridCorruptException e) {
                // One damaged grid does not stop the task: that slide sits this run out (the predictor re-encodes it).
                LOG.warnf("task %s: %s; trained without that slide", task, e.getMessage());
            }
        }
        ModelPublished champion = champions.get(task + "/" + encoder);
        TrainingRun.Policy policy = policy(t);
        TrainingRun.Champion championOutputs = null;
        if (champion != null) {
            try {
                VerifiedHead verified = VerifiedHead.load(store, champion.modelUri(), champion.cardUri(), champion.sha256(),
                        trusted, config.trust().limits(t.crop(), t.crops()));
                Set<String> trainedOn = trainedOn(verified.card());
                championOutputs = new TrainingRun.Champion() {
                    @Override
                    public double[][] outputs(List<org.nic.grid.CompressedGrid> heldOut) {
                        return HeadSelection.predictions(verified.model(), verified.crop(), t.crops(), heldOut);
                    }

                    @Override
                    public Set<String> trainedOn() {
                        return trainedOn;
                    }
                };
            } catch (HeadRefused e) {
                LOG.warnf("task %s: the active head %s is not one this trainer trusts (%s: %s); judging against the baseline",
                        task, champion.headVersion(), e.tag(), e.getMessage());
            }
        }
        LOG.infof("task %s: %d labelled slides with grids of encoder %s", task, slides.size(), encoder);
        TrainingRun.Decision run = TrainingRun.decide(def, policy, slides, champion != null, championOutputs);
        if (!run.trained()) {
            return log(new Outcome(task, false, null, Double.NaN, null, Double.NaN, run.trainSlides(), run.heldOutSlides(),
                    run.reason(), null));
        }
        PublishGate.Decision decision = run.gate();
        String metricName = TaskScoring.metricName(def.kind());
        double metric = run.metric();
        if (!run.publish()) {
            decide(new ModelDecided(task, def.kind().name(), encoder, ModelDecided.REFUSED, null, metricName,
                    finite(metric), finite(decision.metricLower()), finite(decision.metricUpper()), finite(decision.gain()),
                    finite(decision.gainLower()), run.trainSlides(), run.judgedSlides(), decision.reason(), name, snapshot));
            covered.put(task + "/" + encoder, snapshot);
            return log(new Outcome(task, false, null, metric, run.championMetric(), run.baseline(), run.trainSlides(),
                    run.judgedSlides(), decision.reason(), decision));
        }
        byte[] onnx = run.published().onnx();
        String sha = Sha256.hex(onnx);
        String version = "v" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + sha.substring(0, 8);
        String prefix = StorageLayout.head(task, version);
        ModelCard card = HeadCard.of(def, policy, run, encoder, version, sha, all.size(), snapshot, Instant.now());
        byte[] cardBytes = EventJson.toBytes(card);
        HeadSignature signature = signingKey.sign(onnx, cardBytes, name);
        store.put(prefix + "model.onnx", onnx, "application/octet-stream");
        store.put(prefix + "card.json", cardBytes, "application/json");
        store.put(prefix + HeadSignature.FILE_NAME, EventJson.toBytes(signature), "application/json");
        ModelPublished event = new ModelPublished(task, def.kind().name(), encoder, version, store.uri(prefix + "model.onnx").toString(),
                sha, store.uri(prefix + "card.json").toString(), metricName, metric, run.judgedSlides(), decision.reason(),
                decision.metricLower(), decision.metricUpper(), decision.gain(), decision.gainLower());
        CloudEventSender.send(published, event.key(), event.key() + ":" + version, event);
        champions.put(event.key(), event);
        decide(new ModelDecided(task, def.kind().name(), encoder, ModelDecided.PUBLISHED, version, metricName, finite(metric),
                finite(decision.metricLower()), finite(decision.metricUpper()), finite(decision.gain()),
                finite(decision.gainLower()), run.trainSlides(), run.judgedSlides(), decision.reason(), name, snapshot));
        covered.put(event.key(), snapshot);
        return log(new Outcome(task, true, version, metric, run.championMetric(), run.baseline(), run.trainSlides(),
                run.judgedSlides(), decision.reason(), decision));
    }

    /** The run's settings, from {@code nic.trainer.*}. */
    static TrainingRun.Policy policy(TrainerConfig.Trainer t) {
        return new TrainingRun.Policy(t.heldOutShare(), t.minHeldOut(), t.judgedAloneFrom(), t.gateLevel(), t.gateResamples(),
                t.crop(), t.crops(), t.epochs(), t.batchSize(), t.learningRate(), t.seed(), t.minSteps(), t.members(), t.refit());
    }

    /** The slide ids a head's card says it learnt from ({@code trainedOnSlideIds}); empty when it does not say. */
    static Set<String> trainedOn(ModelCard card) {
        Object ids = card.properties() == null ? null : card.properties().get("trainedOnSlideIds");
        if (!(ids instanceof List<?> list)) {
            return Set.of();
        }
        Set<String> out = new java.util.HashSet<>();
        list.forEach(id -> out.add(String.valueOf(id)));
        return out;
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
