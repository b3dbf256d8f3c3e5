package org.nic.cohort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nic.cli.EventClient;
import org.nic.cli.ExportCommand;
import org.nic.cli.NicCli;
import org.nic.event.EncodeRequested;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.ModelPublished;
import org.nic.event.SlideEncoded;
import org.nic.event.SlidePredicted;
import org.nic.event.Topics;
import org.nic.grid.CompressedGrid;
import org.nic.grid.ZarrGridReader;
import org.nic.model.ModelCard;
import org.nic.model.OnnxHead;
import org.nic.stats.Bootstrap;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nic-cohort}: make a synthetic cohort with known answers, run it through the live system, and judge
 * the heads (docs/results.md). Kafka and S3 come from the environment, as for {@code nic}
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code NIC_STORAGE_*}), defaulting to deploy/local's.
 */
@Command(name = "nic-cohort", mixinStandardHelpOptions = true, subcommands = {CohortCli.Generate.class, CohortCli.Run.class,
    CohortCli.Evaluate.class, CohortCli.HeadsAcross.class}, description = "Synthetic slide cohorts with known answers, through the live system.")
public final class CohortCli {

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        System.exit(new CommandLine(new CohortCli()).execute(args));
    }

    @Command(name = "generate", description = "Write a cohort: pyramidal TIFF slides of real tissue and labels.csv.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--seed", defaultValue = "2026") long seed;
        @Option(names = "--train", defaultValue = "120", description = "training slides (default: ${DEFAULT-VALUE})") int train;
        @Option(names = "--test", defaultValue = "60", description = "test slides (default: ${DEFAULT-VALUE})") int test;
        @Option(names = "--size", defaultValue = "8192", description = "slide edge in px, a multiple of 128 (default: ${DEFAULT-VALUE})") int size;
        @Option(names = "--large-share", defaultValue = "0", description = "share of slides made --large-size") double largeShare;
        @Option(names = "--large-size", defaultValue = "24576", description = "edge of the large slides, at most 26,752 px (painted in one piece; default: ${DEFAULT-VALUE})") int largeSize;
        @Option(names = "--kather", defaultValue = "../shared/data/patches/kather-texture-2016") Path kather;
        @Option(names = "--out", required = true) Path out;
        @Option(names = "--train-sources", split = ",", defaultValue = "1,3,4,5,6,7",
                description = "Kather source slides (patients) painting the training slides (default: ${DEFAULT-VALUE})")
        java.util.Set<Integer> trainSources;
        @Option(names = "--test-sources", split = ",", defaultValue = "2,8,9,10",
                description = "those painting the test slides, none of the training ones (default: ${DEFAULT-VALUE}); "
                        + "a validation cohort for choosing head changes uses training patients only, e.g. "
                        + "--train-sources 1,3,4,5 --test-sources 6,7")
        java.util.Set<Integer> testSources;
        @Option(names = "--patterns", defaultValue = "COMPACT_SCATTERED", description = "the growth-pattern task: "
                + "COMPACT_SCATTERED, BORDER (desmoplastic or replacement at equal composition, the paper's liver-metastasis "
                + "growth pattern) or BORDER_MIXED (desmoplastic, mixed or replacement) (default: ${DEFAULT-VALUE})")
        CohortGenerator.Patterns patterns;

        @Override
        public Integer call() throws Exception {
            if (size % TileLibrary.CELL != 0 || largeSize % TileLibrary.CELL != 0) {
                throw new CommandLine.ParameterException(new CommandLine(this), "sizes must be multiples of 128");
            }
            CohortGenerator.Settings settings;
            try {
                settings = new CohortGenerator.Settings(seed, train, test, size, largeShare, largeSize, kather, out,
                        trainSources, testSources, patterns);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            List<CohortGenerator.Slide> slides = CohortGenerator.generate(settings, System.err);
            System.out.printf("%d slides and labels.csv in %s%n", slides.size(), out);
            return 0;
        }
    }

    @Command(name = "run", description = "Run a cohort through the live services and score the predictor's answers.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--cohort", required = true, description = "folder written by generate") Path cohort;
        @Option(names = "--encoder", required = true, description = "encoder id the trainer and predictor use") String encoder;
        @Option(names = "--timeout", defaultValue = "PT20M", description = "longest wait per phase (default: ${DEFAULT-VALUE})") Duration timeout;
        @Option(names = "--seed", defaultValue = "17") long seed;

        @Override
        public Integer call() throws Exception {
            List<CohortGenerator.Slide> slides = CohortGenerator.readLabels(cohort.resolve("labels.csv"));
            CohortRunner.Result result = CohortRunner.run(slides, new CohortRunner.Settings(NicCli.bootstrap(), encoder, timeout),
                    System.err);
            List<CohortGenerator.Slide> test = slides.stream().filter(x -> x.split().equals("test")
                    && result.predictions().containsKey(x.slideId())).toList();
            CohortEvaluation.Settings s = new CohortEvaluation.Settings(0, 0, 0, 0, 0, seed, 2000, 0, List.of());
            Map<CohortTask, Bootstrap.Interval> live = new LinkedHashMap<>();
            for (CohortTask t : CohortTask.values()) {
                if (result.heads().containsKey(t.task())) {
                    live.put(t, CohortEvaluation.interval(t, CohortRunner.scores(t, test, result.predictions(),
                            CohortGenerator.Patterns.of(slides)), test, s));
                }
            }
            List<CohortEvaluation.Row> rows = List.of(new CohortEvaluation.Row(encoder, "live system (trainer's head)", live),
                    new CohortEvaluation.Row("(truth)", "true log-hazard", Map.of(CohortTask.OVERALL_SURVIVAL,
                            CohortEvaluation.trueHazard(test, s))));
            String md = CohortReport.markdown(rows, test.size()) + String.format("%nRun: %d slides through the live system in %.0f s;"
                    + " heads: %s.%n", slides.size(), result.seconds(), CohortReport.heads(result.heads()));
            Files.writeString(cohort.resolve("run-" + encoder + ".md"), md);
            System.out.print(md);
            return 0;
        }
    }

    @Command(name = "evaluate", description = "The paper-style table: heads and baselines per encoder on the cohort's grids.")
    static final class Evaluate implements Callable<Integer> {
        @Option(names = "--cohort", required = true) Path cohort;
        @Option(names = "--encoder", required = true, description = "encoder id (repeatable); grids missing for it are made by the live encoder service")
        List<String> encoders;
        @Option(names = "--register", description = "encoder folder (model.onnx + card.json) to upload to the registry first (repeatable)")
        List<Path> register = new ArrayList<>();
        @Option(names = "--bucket", defaultValue = "nic") String bucket;
        @Option(names = "--crop", defaultValue = "400") int crop;
        @Option(names = "--epochs", defaultValue = "30") int epochs;
        @Option(names = "--min-steps", defaultValue = "1000", description = "fewest optimiser steps of a head (default: ${DEFAULT-VALUE})") int minSteps;
        @Option(names = "--heads", split = ",", defaultValue = "ARRANGEMENT,ARRANGEMENT_COMPOSITION,ARRANGEMENT_BLEND,GIGAPIXEL,ATTENTION", description = "head types (default: ${DEFAULT-VALUE})")
        List<org.nic.training.head.HeadTrainer.Type> heads;
        @Option(names = "--batch-size", defaultValue = "8") int batchSize;
        @Option(names = "--learning-rate", defaultValue = "0.001") float learningRate;
        @Option(names = "--crops", defaultValue = "10") int crops;
        @Option(names = "--seed", defaultValue = "17") long seed;
        @Option(names = "--timeout", defaultValue = "PT30M") Duration timeout;
        @Option(names = "--tasks", split = ",", description = "tasks whose heads are trained (default: all)")
        java.util.Set<CohortTask> tasks = java.util.EnumSet.allOf(CohortTask.class);
        @Option(names = "--validate", defaultValue = "0", description = "judge on this many of the TRAINING slides, held out "
                + "(a seeded draw), and never read the test slides: for choosing a change to the heads without looking "
                + "at the test cohort (default: 0, judge on the test slides)")
        int validate;
        @Option(names = "--seeds", defaultValue = "1", description = "train every head with this many seeds (--seed, "
                + "--seed + 1, ...) and report the spread (max - min) of each task's metric (default: ${DEFAULT-VALUE})")
        int seeds;
        @Option(names = "--train-limit", defaultValue = "0", description = "train on the first N training slides only "
                + "(a lab's first tens of labelled slides; default: 0, all)")
        int trainLimit;
        @Option(names = "--trainer-held-out", defaultValue = "0", description = "train only on the training slides the live "
                + "trainer would train a judged head on: those its held-out split of this share (nic.trainer.held-out-share, "
                + "by case; a cohort's case is its slide) leaves on the training side, after --train-limit (default: 0, all)")
        double trainerHeldOut;
        @Option(names = "--mean-code", arity = "1", defaultValue = "true",
                description = "true or false: whether the gigapixel CNN's output reads the standardised mean tissue code "
                        + "(default: ${DEFAULT-VALUE})")
        boolean meanCode;
        @Option(names = "--slide-norm", arity = "1", defaultValue = "" + org.nic.training.head.HeadTrainer.SLIDE_NORM,
                description = "true or false: whether the gigapixel CNN's arrangement branch reads each slide's codes "
                        + "standardised over its own tissue (default: ${DEFAULT-VALUE})")
        boolean slideNorm;
        @Option(names = "--members", defaultValue = "" + org.nic.training.head.HeadTrainer.MEMBERS,
                description = "how many members (each its own cell types and ridge folds) the arrangement heads average "
                        + "(default: ${DEFAULT-VALUE}, the trainer's)")
        int members;

        @Override
        public Integer call() throws Exception {
            List<CohortGenerator.Slide> slides = CohortGenerator.readLabels(cohort.resolve("labels.csv"));
            if (validate > 0) {
                slides = validationSplit(slides, validate, seed);
                System.err.printf("[evaluate] validation: %d training slides held out, the test slides not read%n", validate);
            }
            if (trainLimit > 0) {
                List<CohortGenerator.Slide> kept = new ArrayList<>();
                int n = 0;
                for (CohortGenerator.Slide x : slides) {
                    if (!x.split().equals("train") || n++ < trainLimit) {
                        kept.add(x);
                    }
                }
                slides = kept;
                System.err.printf("[evaluate] training on the first %d training slides%n", Math.min(n, trainLimit));
            }
            if (trainerHeldOut > 0) {
                int before = (int) slides.stream().filter(x -> x.split().equals("train")).count();
                slides = trainerSide(slides, trainerHeldOut);
                System.err.printf("[evaluate] training on the trainer's training side: %d of %d training slides (held-out share"
                        + " %.2f)%n", slides.stream().filter(x -> x.split().equals("train")).count(), before, trainerHeldOut);
            }
            CohortEvaluation.Settings s = new CohortEvaluation.Settings(crop, epochs, batchSize, learningRate, crops, seed, 2000,
                    minSteps, heads, tasks, meanCode, slideNorm, members);
            ObjectStore.Settings storage = NicCli.storage(bucket);
            List<CohortEvaluation.Row> rows = new ArrayList<>();
            List<CohortGenerator.Slide> testSlides = null;
            try (ObjectStore store = new ObjectStore(storage)) {
                for (Path dir : register) {
                    ModelCard card = ModelCard.read(dir.resolve(ModelCard.FILE_NAME));
                    store.put(StorageLayout.encoder(card.id()) + card.file(), card.verifiedModel(dir), "application/octet-stream");
                    store.put(StorageLayout.encoder(card.id()) + ModelCard.FILE_NAME, Files.readAllBytes(dir.resolve(ModelCard.FILE_NAME)),
                            "application/json");
                    System.err.printf("[evaluate] registered encoder %s%n", card.id());
                }
                for (String encoder : encoders) {
                    ensureGrids(store, slides, encoder, timeout);
                    List<CohortGenerator.Slide> train = new ArrayList<>();
                    List<CohortGenerator.Slide> test = new ArrayList<>();
                    List<CompressedGrid> trainGrids = new ArrayList<>();
                    List<CompressedGrid> testGrids = new ArrayList<>();
                    for (CohortGenerator.Slide x : slides) {
                        String prefix = StorageLayout.grid(x.slideId(), encoder);
                        if (!store.exists(store.uri(prefix + ".zgroup"))) {
                            continue; // failed slide
                        }
                        CompressedGrid g = ZarrGridReader.read(store, x.slideId(), prefix);
                        (x.split().equals("train") ? train : test).add(x);
                        (x.split().equals("train") ? trainGrids : testGrids).add(g);
                    }
                    System.err.printf("[evaluate] %s: %d training and %d test grids%n", encoder, train.size(), test.size());
                    for (int k = 0; k < seeds; k++) {
                        rows.addAll(CohortEvaluation.heads(encoder, train, trainGrids, test, testGrids, s.withSeed(seed + k),
                                System.err, seeds > 1 ? " (seed " + (seed + k) + ")" : ""));
                    }
                    rows.addAll(CohortEvaluation.baselines(encoder, train, trainGrids, test, testGrids, s, System.err));
                    testSlides = test;
                }
            }
            rows.add(new CohortEvaluation.Row("(truth)", "true log-hazard", Map.of(CohortTask.OVERALL_SURVIVAL,
                    CohortEvaluation.trueHazard(testSlides, s))));
            String md = validate > 0 ? CohortReport.markdown(rows, testSlides.size() + " held-out TRAINING slides (--validate)")
                    : CohortReport.markdown(rows, testSlides.size());
            if (seeds > 1) {
                md += CohortReport.spread(rows);
            }
            String file = (validate > 0 ? "validation" : "evaluation") + (trainLimit > 0 ? "-train" + trainLimit : "")
                    + (trainerHeldOut > 0 ? "-trainer-side" : "");
            Files.writeString(cohort.resolve(file + ".md"), md);
            Files.write(cohort.resolve(file + ".json"), EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(rows));
            System.out.print(md);
            return 0;
        }

        /**
         * The slides without the training slides that the live trainer's held-out split of {@code share} would hold out
         * (a cohort's labels name each slide its own case): the training side a judged head of the trainer learns from.
         */
        static List<CohortGenerator.Slide> trainerSide(List<CohortGenerator.Slide> slides, double share) {
            org.nic.label.HeldOutSplit split = new org.nic.label.HeldOutSplit(share);
            return slides.stream().filter(x -> !x.split().equals("train") || !split.isHeldOut(x.slideId(), x.slideId())).toList();
        }

        /** The training slides only, {@code n} of them (a seeded draw) relabelled as the split judged on. */
        static List<CohortGenerator.Slide> validationSplit(List<CohortGenerator.Slide> slides, int n, long seed) {
            List<CohortGenerator.Slide> train = new ArrayList<>(slides.stream().filter(x -> x.split().equals("train")).toList());
            if (n >= train.size()) {
                throw new IllegalArgumentException("--validate " + n + " leaves no training slides of " + train.size());
            }
            java.util.Collections.shuffle(train, new java.util.Random(seed));
            List<CohortGenerator.Slide> out = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                out.add(i < n ? train.get(i).withSplit("test") : train.get(i));
            }
            return out;
        }

        /** Asks the live encoder service for the grids this encoder lacks, and waits for them. */
        static void ensureGrids(ObjectStore store, List<CohortGenerator.Slide> slides, String encoder, Duration timeout)
                throws IOException {
            List<String> missing = slides.stream().map(CohortGenerator.Slide::slideId)
                    .filter(id -> !store.exists(store.uri(StorageLayout.grid(id, encoder) + ".zgroup"))).toList();
            if (missing.isEmpty()) {
                return;
            }
            try (EventClient events = new EventClient(NicCli.bootstrap())) {
                var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
                missing.forEach(id -> events.publish(EventType.ENCODE_REQUESTED, id, new EncodeRequested(id, encoder, false)));
                java.util.Set<String> done = new java.util.HashSet<>();
                long t0 = System.nanoTime();
                events.find(from, r -> {
                    if (missing.contains(r.key()) && !done.contains(r.key())) {
                        boolean ours = r.topic().equals(Topics.SLIDE_FAILED) || encoderOf(r.value()).equals(encoder);
                        if (ours) {
                            done.add(r.key());
                            double elapsed = (System.nanoTime() - t0) / 1e9;
                            System.err.printf("\r[evaluate] %s: %d/%d grids made, ETA %.0f s   ", encoder, done.size(), missing.size(),
                                    elapsed / done.size() * (missing.size() - done.size()));
                        }
                    }
                    return done.size() == missing.size();
                }, timeout, Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
                System.err.println();
            }
        }

        private static String encoderOf(byte[] json) {
            try {
                return EventJson.mapper().readValue(json, SlideEncoded.class).encoderId();
            } catch (IOException e) {
                return "";
            }
        }
    }

    @Command(name = "heads-across", description = "The live system's heads of one encoder judged on another encoder's grids "
            + "of the test slides (made by the live encoder service where missing), beside the same heads on their own grids: "
            + "e.g. the float encoder's heads on its INT8 twin's grids.")
    static final class HeadsAcross implements Callable<Integer> {
        @Option(names = "--cohort", required = true) Path cohort;
        @Option(names = "--heads-of", required = true, description = "encoder id whose published heads are judged") String headsOf;
        @Option(names = "--grids-of", required = true, description = "encoder id whose grids they read") String gridsOf;
        @Option(names = "--bucket", defaultValue = "nic") String bucket;
        @Option(names = "--seed", defaultValue = "17", description = "the bootstrap's seed (default: ${DEFAULT-VALUE})") long seed;
        @Option(names = "--timeout", defaultValue = "PT30M") Duration timeout;

        @Override
        public Integer call() throws Exception {
            List<CohortGenerator.Slide> slides = CohortGenerator.readLabels(cohort.resolve("labels.csv"));
            List<CohortGenerator.Slide> test = slides.stream().filter(x -> x.split().equals("test")).toList();
            TrustedKeys trusted = NicCli.trustedKeys(this, "make a head runnable");
            List<ModelPublished> heads;
            try (EventClient events = new EventClient(NicCli.bootstrap())) {
                heads = ExportCommand.active(events.read(null, Topics.MODEL_PUBLISHED)).stream()
                        .filter(m -> m.encoderId().equals(headsOf)).toList();
            }
            if (heads.isEmpty()) {
                System.err.println("no published head reads grids of " + headsOf);
                return 1;
            }
            CohortEvaluation.Settings s = new CohortEvaluation.Settings(0, 0, 0, 0, 0, seed, 2000, 0, List.of());
            List<HeadsAcrossEncoders.Row> rows = new ArrayList<>();
            List<CohortGenerator.Slide> kept = new ArrayList<>();
            List<CompressedGrid> own = new ArrayList<>();
            List<CompressedGrid> other = new ArrayList<>();
            try (ObjectStore store = new ObjectStore(NicCli.storage(bucket))) {
                Evaluate.ensureGrids(store, test, gridsOf, timeout);
                for (CohortGenerator.Slide x : test) {
                    String a = StorageLayout.grid(x.slideId(), headsOf);
                    String b = StorageLayout.grid(x.slideId(), gridsOf);
                    if (store.exists(store.uri(a + ".zgroup")) && store.exists(store.uri(b + ".zgroup"))) {
                        kept.add(x);
                        own.add(ZarrGridReader.read(store, x.slideId(), a));
                        other.add(ZarrGridReader.read(store, x.slideId(), b));
                    }
                }
                System.err.printf("[heads-across] %d of %d test slides have grids of both %s and %s%n", kept.size(), test.size(),
                        headsOf, gridsOf);
                CohortGenerator.Patterns family = CohortGenerator.Patterns.of(slides);
                for (CohortTask t : CohortTask.values()) {
                    ModelPublished m = heads.stream().filter(h -> h.task().equals(t.task())).findFirst().orElse(null);
                    if (m == null) {
                        continue;
                    }
                    VerifiedHead v = VerifiedHead.load(store, m.modelUri(), m.cardUri(), m.sha256(), trusted,
                            VerifiedHead.Limits.DEFAULT);
                    Map<String, SlidePredicted> onOwn = new LinkedHashMap<>();
                    Map<String, SlidePredicted> onOther = new LinkedHashMap<>();
                    try (OnnxHead head = new OnnxHead(v.model())) {
                        for (int i = 0; i < kept.size(); i++) {
                            String id = kept.get(i).slideId();
                            onOwn.put(id, predicted(id, headsOf, m, v, head.predict(own.get(i), v.crop(), v.crops())));
                            onOther.put(id, predicted(id, gridsOf, m, v, head.predict(other.get(i), v.crop(), v.crops())));
                        }
                    }
                    rows.add(HeadsAcrossEncoders.compare(t, m.headVersion(), CohortRunner.scores(t, kept, onOwn, family),
                            CohortRunner.scores(t, kept, onOther, family), kept, s));
                    System.err.printf("[heads-across] %s: head %s judged on both%n", t.task(), m.headVersion());
                }
            }
            String md = HeadsAcrossEncoders.markdown(headsOf, gridsOf, rows, HeadsAcrossEncoders.cosines(own, other), kept.size());
            Files.writeString(cohort.resolve("heads-" + headsOf + "-on-" + gridsOf + ".md"), md);
            System.out.print(md);
            return 0;
        }

        private static SlidePredicted predicted(String slideId, String encoder, ModelPublished m, VerifiedHead v, float[] out) {
            return new SlidePredicted(slideId, null, encoder, null, List.of(
                    SlidePredicted.Prediction.of(m.task(), m.kind(), m.headVersion(), v.classes(), out)), 0, "nic-cohort");
        }
    }
}
