package org.nic.training.transfer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.model.ModelCard;
import org.nic.training.data.PatchDataset;
import org.nic.training.data.PatchExample;
import org.nic.training.data.TaskSpec;
import org.nic.training.model.EncoderPackage;
import org.nic.training.model.EncoderWeights;
import org.nic.training.probe.OnnxCodes;
import org.nic.training.probe.TransferProbe;
import org.nic.training.train.MtlTrainer;

/**
 * Leave-one-dataset-out transfer evaluation. For every labelled dataset D and every candidate recipe, the
 * recipe is trained on all datasets but D and its frozen codes are probed on D ({@link TransferProbe}):
 * every number in a candidate's row comes from a model that never saw that dataset. Ready-made encoders
 * (the authors' released ones, a random network) are probed on every dataset: for them too every column is
 * a transfer column. Single-task ablations are trained on one dataset and probed on the others; their own
 * dataset's column is in-distribution and marked so.
 *
 * <p>The rule that chooses the default (docs/encoder.md): the highest mean over datasets of the transfer
 * columns {@code all} and {@code k5}.
 */
public final class TransferEvaluation {

    /** Labels-per-class columns: all labels, 20 and 5 per class. */
    public static final int[] PER_CLASS = {0, 20, 5};

    /**
     * @param steps training budget of every run
     * @param seed seed of training and of the few-label draws
     * @param folds cross-validation folds of the probes
     * @param draws few-label draws per fold
     * @param init the released multitask encoder (warm recipes start from it)
     * @param ready ready-made encoders to probe as they are (id to ONNX bytes)
     * @param recipes candidate and ablation recipes to train
     * @param out folder for the trained encoders and the report
     */
    public record Settings(int steps, long seed, int folds, int draws, EncoderWeights init, Map<String, byte[]> ready,
                           List<Recipe> recipes, Path out) { }

    /** One dataset of the table. */
    public record Dataset(String name, List<String> classes, int examples, int groups) { }

    /**
     * One encoder's scores on one dataset.
     *
     * @param transfer false when the encoder was trained on this dataset
     * @param scores {@code all}, {@code k20}, {@code k5}
     */
    public record Cell(boolean transfer, Map<String, TransferProbe.Score> scores) { }

    /**
     * One row of the table.
     *
     * @param encoder encoder id (for a recipe: the recipe name; its folds' models are in {@code models})
     * @param kind {@code candidate}, {@code ablation} or {@code ready-made}
     * @param description what it is
     * @param columns per dataset
     * @param lodoMean mean over datasets of the transfer columns {@code all} and {@code k5} (the rule)
     * @param models dataset left out (or trained on) to encoder folder
     */
    public record Row(String encoder, String kind, String description, Map<String, Cell> columns, double lodoMean,
                      Map<String, String> models) { }

    public record Report(List<Dataset> datasets, List<Row> rows, Map<String, Object> settings) { }

    private TransferEvaluation() {
    }

    public static Report run(PatchDataset data, Settings s, PrintStream log) {
        List<String> names = data.tasks().stream().map(TaskSpec::name).toList();
        Progress progress = new Progress(data, s, log);
        List<Row> rows = new ArrayList<>();
        for (Recipe recipe : s.recipes()) {
            if (recipe.singleTask()) {
                // Ablation: one model per dataset T, trained on T alone and probed on every dataset.
                for (String t : names) {
                    Path dir = s.out().resolve(recipe.name()).resolve("only-" + t);
                    byte[] onnx = trainOrReuse(data, List.of(t), recipe, s, dir, recipe.name() + "-only-" + t, progress);
                    Map<String, Cell> columns = new LinkedHashMap<>();
                    for (String d : names) {
                        columns.put(d, new Cell(!d.equals(t), probe(data, d, onnx, s, progress)));
                    }
                    rows.add(new Row(recipe.name() + ":" + t, "ablation", recipe.description() + "; trained on " + t,
                            columns, lodoMean(columns), Map.of(t, dir.toString())));
                }
                continue;
            }
            // Candidate: for each dataset D, a model trained on all the others, probed on D.
            Map<String, Cell> columns = new LinkedHashMap<>();
            Map<String, String> models = new LinkedHashMap<>();
            for (String d : names) {
                List<String> training = names.stream().filter(n -> !n.equals(d)).toList();
                Path dir = s.out().resolve(recipe.name()).resolve("without-" + d);
                byte[] onnx = trainOrReuse(data, training, recipe, s, dir, recipe.name() + "-without-" + d, progress);
                models.put(d, dir.toString());
                columns.put(d, new Cell(true, probe(data, d, onnx, s, progress)));
            }
            rows.add(new Row(recipe.name(), "candidate", recipe.description(), columns, lodoMean(columns), models));
        }
        for (var ready : s.ready().entrySet()) {
            Map<String, Cell> columns = new LinkedHashMap<>();
            for (String d : names) {
                columns.put(d, new Cell(true, probe(data, d, ready.getValue(), s, progress)));
            }
            rows.add(new Row(ready.getKey(), "ready-made", "probed as it is", columns, lodoMean(columns), Map.of()));
        }
        List<Dataset> datasets = new ArrayList<>();
        for (String d : names) {
            List<PatchExample> examples = data.examplesOf(data.taskIndex(d));
            datasets.add(new Dataset(d, data.tasks().get(data.taskIndex(d)).classes(), examples.size(),
                    (int) examples.stream().map(PatchExample::group).distinct().count()));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("steps", s.steps());
        settings.put("batchPerTask", Recipe.BATCH_PER_TASK);
        settings.put("seed", s.seed());
        settings.put("folds", s.folds());
        settings.put("draws", s.draws());
        settings.put("probe", "LIBLINEAR L2-regularised logistic regression, C = 1, standardised codes, group-aware folds");
        settings.put("seconds", progress.elapsed());
        log.printf("[transfer] done in %s%n", Progress.clock(progress.elapsed()));
        return new Report(datasets, rows, settings);
    }

    /** The rule's figure: mean over the transfer columns of (all + k5) / 2. */
    static double lodoMean(Map<String, Cell> columns) {
        return columns.values().stream().filter(Cell::transfer)
                .mapToDouble(c -> (c.scores().get("all").mean() + c.scores().get("k5").mean()) / 2).average().orElse(Double.NaN);
    }

    private static byte[] trainOrReuse(PatchDataset data, List<String> training, Recipe recipe, Settings s, Path dir,
                                       String id, Progress progress) {
        String fingerprint = String.format("recipe=%s steps=%d seed=%d datasets=%s", recipe.name(), s.steps(), s.seed(),
                training);
        Path cardFile = dir.resolve(ModelCard.FILE_NAME);
        if (Files.exists(cardFile)) {
            ModelCard card = ModelCard.read(cardFile);
            if (card.properties() != null && fingerprint.equals(card.properties().get("transfer"))) {
                progress.log("reusing %s (%s)", dir, fingerprint);
                progress.trained(training.size(), 0);
                return card.verifiedModel(dir);
            }
        }
        progress.log("training %s on %s", id, training);
        long t0 = System.nanoTime();
        MtlTrainer.Result result = MtlTrainer.train(data.only(training), recipe.settings(s.steps(), s.seed(), s.init(), 0),
                progress.quiet());
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (MtlTrainer.TaskFigures f : result.last().tasks()) {
            metrics.put(f.task() + ".train.loss", f.trainLoss());
        }
        metrics.put("training.seconds", (double) result.seconds());
        ModelCard card = EncoderPackage.write(dir, id, result.encoder(), training, "transfer evaluation fold: " + recipe.description()
                        + "; trained on " + training, s.seed(), metrics, "nic-train transfer (" + fingerprint + ")",
                recipe.warm() ? "MIT (continued from the NIC authors' multitask-4)" : "Apache-2.0", "NIC project",
                Map.of("transfer", fingerprint));
        progress.trained(training.size(), (System.nanoTime() - t0) / 1e9);
        try {
            return Files.readAllBytes(dir.resolve(card.file()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, TransferProbe.Score> probe(PatchDataset data, String dataset, byte[] onnx, Settings s,
                                                         Progress progress) {
        long t0 = System.nanoTime();
        List<PatchExample> examples = data.examplesOf(data.taskIndex(dataset));
        float[][] codes = OnnxCodes.encode(onnx, examples);
        int[] labels = examples.stream().mapToInt(e -> (int) e.label()).toArray();
        String[] groups = examples.stream().map(PatchExample::group).toArray(String[]::new);
        Map<String, TransferProbe.Score> scores = TransferProbe.evaluate(codes, labels, groups, s.folds(), PER_CLASS,
                s.draws(), s.seed());
        progress.probed(examples.size(), (System.nanoTime() - t0) / 1e9);
        return scores;
    }

    /** Counts work done and left, and prints a line with the elapsed time and an ETA after each job. */
    static final class Progress {
        private final PrintStream log;
        private final long t0 = System.nanoTime();
        private final double trainUnitsTotal;
        private final double probeUnitsTotal;
        private double trainUnitsDone;
        private double probeUnitsDone;
        private double trainSeconds;
        private double probeSeconds;
        private final int steps;

        Progress(PatchDataset data, Settings s, PrintStream log) {
            this.log = log;
            this.steps = s.steps();
            int n = data.tasks().size();
            int all = data.examples().size();
            double train = 0;
            double probe = 0;
            for (Recipe r : s.recipes()) {
                train += r.singleTask() ? n : n * (n - 1); // task-steps: each fold trains n - 1 tasks (or 1)
                probe += r.singleTask() ? (double) n * all : all; // a single-task model is probed everywhere
            }
            probe += (double) s.ready().size() * all;
            this.trainUnitsTotal = train * steps;
            this.probeUnitsTotal = probe;
        }

        PrintStream quiet() {
            return null;
        }

        void log(String format, Object... args) {
            log.printf("[transfer] " + format + "%n", args);
        }

        void trained(int tasks, double seconds) {
            trainUnitsDone += (double) tasks * steps;
            trainSeconds += seconds;
            report();
        }

        void probed(int examples, double seconds) {
            probeUnitsDone += examples;
            probeSeconds += seconds;
            report();
        }

        double elapsed() {
            return (System.nanoTime() - t0) / 1e9;
        }

        private void report() {
            // Rates from what has run; before anything has, the 2-core development machine's figures.
            double trainRate = trainSeconds > 0 ? trainUnitsDone / trainSeconds : 5.5;
            double probeRate = probeSeconds > 0 ? probeUnitsDone / probeSeconds : 400;
            double left = (trainUnitsTotal - trainUnitsDone) / trainRate + (probeUnitsTotal - probeUnitsDone) / probeRate;
            log.printf("[transfer] %3.0f%% | elapsed %s | ETA %s%n",
                    100 * (trainUnitsDone / trainRate + probeUnitsDone / probeRate)
                            / Math.max(1e-9, trainUnitsTotal / trainRate + probeUnitsTotal / probeRate),
                    clock(elapsed()), clock(Math.max(0, left)));
        }

        static String clock(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                    : String.format("%dm%02ds", s / 60, s % 60);
        }
    }
}
