package org.nic.training.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nic.model.ModelCard;
import org.nic.training.data.Augmenter;
import org.nic.training.data.Grouping;
import org.nic.training.data.PatchDataset;
import org.nic.training.data.TissueMiner;
import org.nic.training.model.EncoderArchitecture;
import org.nic.training.model.EncoderPackage;
import org.nic.training.model.EncoderWeights;
import org.nic.training.model.KerasEncoderImporter;
import org.nic.training.model.RandomEncoder;
import org.nic.training.train.MtlTrainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nic-train}: MTL-NIC encoder jobs. The trainer service runs the same commands; they need no
 * Kafka and no object store.
 */
@Command(name = "nic-train", mixinStandardHelpOptions = true,
        subcommands = {TrainingCli.MineTissue.class, TrainingCli.ImportPaper.class, TrainingCli.TrainEncoder.class,
            ProbeCommand.class, TransferCommand.class, QuantiseCommand.class},
        description = "Train, import and evaluate NIC patch encoders.")
public final class TrainingCli {

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        System.exit(new CommandLine(new TrainingCli()).execute(args));
    }

    /** The command line as typed, for model cards. */
    static String commandLine(String name, String[] args) {
        return "java -jar nic-train/target/nic-train.jar " + String.join(" ", args);
    }

    @Command(name = "mine-tissue", description = "Mine the tissue-vs-background task from real slides and images.")
    static final class MineTissue implements Callable<Integer> {
        @Option(names = "--data", defaultValue = "../shared/data", description = "shared data folder (default: ${DEFAULT-VALUE})")
        Path data;

        @Option(names = "--out", required = true, description = "output folder (gets tissue/ and background/)")
        Path out;

        @Option(names = "--image-spacing", defaultValue = "0.5", description = "um/px assumed for plain images")
        double imageSpacing;

        @Override
        public Integer call() throws IOException {
            List<Path> slides = List.of(data.resolve("slides/CMU-1-Small-Region.svs"));
            TissueMiner.Mined mined = TissueMiner.mine(slides, TissueMiner.defaultImages(data), imageSpacing, out);
            TissueMiner.copyNamedTiles(data.resolve("patches/histolab-tiles"), out);
            System.out.printf("mined %d tissue and %d background patches into %s%n", mined.tissue(), mined.background(), out);
            return 0;
        }
    }

    @Command(name = "import-paper", description = "Import the NIC authors' Keras encoders as ONNX encoders with cards, and write"
            + " an untrained encoder of the same architecture (random-init) beside them.")
    static final class ImportPaper implements Callable<Integer> {
        @Option(names = "--models", defaultValue = "../shared/data/models/nic-paper", description = "folder of the .h5 files")
        Path models;

        @Option(names = "--registry", required = true, description = "encoder registry folder (models/encoders)")
        Path registry;

        @Override
        public Integer call() throws IOException {
            for (String name : List.of("multitask-4", "bigan", "mean-rgb")) {
                Path h5 = models.resolve("encoder_" + name + ".h5");
                EncoderWeights weights = KerasEncoderImporter.read(h5);
                String id = "nic-paper-" + name;
                Path dir = registry.resolve(id);
                ModelCard card = EncoderPackage.write(dir, id, weights, List.of(), "released by the NIC authors (Tellez et al.); "
                                + "imported from " + h5.getFileName(), null, Map.of(),
                        commandLine("import-paper", new String[] {"import-paper", "--models", models.toString(), "--registry", registry.toString()}),
                        "MIT", "David Tellez et al., davidtellez/neural-image-compression (models/encoders_patches_pathology, "
                                + "commit 2f2e9ca); see LICENSE beside this card");
                Path licence = models.resolve("LICENSE");
                if (Files.exists(licence)) {
                    Files.copy(licence, dir.resolve("LICENSE"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                System.out.printf("%s: %d parameters, sha256 %s%n", id, card.parameters(), card.sha256());
            }
            ModelCard random = EncoderPackage.write(registry.resolve(RandomEncoder.ID), RandomEncoder.ID, RandomEncoder.weights(17),
                    List.of(), "untrained: DJL's default initialisation of the paper's architecture, seed 17", 17L, Map.of(),
                    commandLine("import-paper", new String[] {"import-paper", "--registry", registry.toString()}), "Apache-2.0",
                    "NIC project");
            System.out.printf("%s: %d parameters, sha256 %s%n", RandomEncoder.ID, random.parameters(), random.sha256());
            return 0;
        }
    }

    @Command(name = "train-encoder", description = "Train the MTL-NIC encoder with supervised multitask learning.")
    static final class TrainEncoder implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--task", required = true, description = "NAME=FOLDER[,scale=S][,weight=W][,group=dup|source|pattern:REGEX][,validation-share=V]: "
                + "a folder of class subfolders; scale brings images to 0.5 um/px; group says how splits keep images together")
        List<String> tasks;

        @Option(names = "--out", required = true, description = "output folder (model.onnx + card.json)")
        Path out;

        @Option(names = "--id", required = true, description = "encoder id")
        String id;

        @Option(names = "--epochs", defaultValue = "30")
        int epochs;

        @Option(names = "--batch-per-task", defaultValue = "32")
        int batchPerTask;

        @Option(names = "--lr", defaultValue = "0.001")
        float learningRate;

        @Option(names = "--seed", defaultValue = "17")
        long seed;

        @Option(names = "--validation-share", defaultValue = "0.25")
        double validationShare;

        @Option(names = "--held-out", split = ",", description = "groups (sources) always kept for validation")
        List<String> heldOut = new ArrayList<>();

        @Option(names = "--init-from", description = "continue from a released Keras encoder (.h5)")
        Path initFrom;

        @Option(names = "--code-size", defaultValue = "128")
        int codeSize;

        @Option(names = "--depth", defaultValue = "4")
        int depth;

        @Option(names = "--filters", defaultValue = "128")
        int filters;

        @Option(names = "--no-augment", description = "train without augmentation")
        boolean noAugment;

        @Option(names = "--recipe", description = "train as a named recipe of the transfer evaluation (sets lr, start,"
                + " freezing, anchor, loss balance; with --steps); --init-from gives the released weights")
        String recipe;

        @Option(names = "--steps", defaultValue = "0", description = "optimiser steps instead of epochs")
        int steps;

        @Option(names = "--dataset-licence", description = "NAME=TEXT: licence and citation of a task's data, for the card")
        Map<String, String> licences = new LinkedHashMap<>();

        @Option(names = "--transfer-report", description = "transfer.json of the evaluation that chose this recipe, for the card")
        Path transferReport;

        @Option(names = "--licence", defaultValue = "Apache-2.0")
        String licence;

        @Override
        public Integer call() throws IOException {
            PatchDataset data = TaskOption.load(tasks);
            EncoderArchitecture arch = new EncoderArchitecture(codeSize, depth, filters, 0.2f, 1e-3f, 2);
            EncoderWeights init = initFrom == null ? null : KerasEncoderImporter.read(initFrom);
            MtlTrainer.Settings settings;
            if (recipe != null) {
                org.nic.training.transfer.Recipe r = org.nic.training.transfer.Recipe.named(recipe);
                settings = r.settings(steps, seed, init, validationShare);
                if (!r.warm()) {
                    init = null;
                }
            } else {
                settings = new MtlTrainer.Settings(epochs, batchPerTask, learningRate, seed, validationShare,
                        Set.copyOf(heldOut), noAugment ? null : Augmenter.Strength.paper(), arch, init, null, steps, false,
                        learningRate);
            }
            System.err.printf("training %s on %s (%d patches), seed %d%n", id,
                    data.tasks().stream().map(s -> s.name() + " " + s.classes()).toList(), data.examples().size(), seed);
            MtlTrainer.Result result = MtlTrainer.train(data, settings, System.err);
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (MtlTrainer.TaskFigures f : result.last().tasks()) {
                if (!Double.isNaN(f.validationAccuracy())) {
                    metrics.put(f.task() + ".validation.accuracy", f.validationAccuracy());
                    metrics.put(f.task() + ".validation.loss", f.validationLoss());
                }
                metrics.put(f.task() + ".train.loss", f.trainLoss());
            }
            metrics.put("training.seconds", (double) result.seconds());
            String summary = data.tasks().stream().map(s -> s.name() + ": " + data.examplesOf(data.tasks().indexOf(s)).size()
                    + " patches, classes " + s.classes() + ", scale " + s.scale())
                    .reduce((a, b) -> a + "; " + b).orElse("")
                    + (init == null ? "; from random initialisation" : "; continued from " + initFrom.getFileName())
                    + (recipe == null ? "" : "; recipe " + recipe);
            Map<String, Object> properties = new LinkedHashMap<>();
            if (recipe != null) {
                properties.put("recipe", org.nic.training.transfer.Recipe.named(recipe));
                properties.put("steps", steps);
            }
            if (!licences.isEmpty()) {
                properties.put("datasets", licences);
            }
            if (transferReport != null) {
                properties.put("transfer", org.nic.event.EventJson.mapper().readTree(transferReport.toFile()));
            }
            ModelCard card = EncoderPackage.write(out, id, result.encoder(), data.tasks().stream().map(s -> s.name()).toList(),
                    summary, seed, metrics, commandLine("train-encoder", spec.commandLine().getParseResult().originalArgs()
                            .toArray(String[]::new)), licence, "NIC project, trained with nic-training",
                    properties.isEmpty() ? null : properties);
            System.err.printf("%nwrote %s (%d s, sha256 %s)%n", out.resolve(EncoderPackage.MODEL_FILE), result.seconds(), card.sha256());
            return 0;
        }
    }

    /** One {@code --task} option. */
    record TaskOption(String name, Path folder, double scale, double weight, Grouping grouping, Double validationShare) {

        /** The dataset that {@code --task} options describe. */
        static PatchDataset load(List<String> options) {
            List<PatchDataset.FolderTask> folders = new ArrayList<>();
            List<Grouping> groupings = new ArrayList<>();
            for (String t : options) {
                TaskOption o = parse(t);
                folders.add(new PatchDataset.FolderTask(o.name(), o.folder(), o.scale(), o.weight(), o.validationShare()));
                groupings.add(o.grouping());
            }
            return PatchDataset.fromFolders(folders, groupings);
        }

        static TaskOption parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--task " + text + ": expected NAME=FOLDER[,scale=S][,weight=W][,group=dup|source]");
            }
            String[] parts = text.substring(eq + 1).split(",");
            double scale = 1;
            double weight = 1;
            Grouping grouping = Grouping.byNearDuplicates(10);
            Double share = null;
            for (String p : Arrays.copyOfRange(parts, 1, parts.length)) {
                String[] kv = p.split("=", 2);
                switch (kv[0]) {
                    case "scale" -> scale = Double.parseDouble(kv[1]);
                    case "weight" -> weight = Double.parseDouble(kv[1]);
                    case "validation-share" -> share = Double.parseDouble(kv[1]);
                    case "group" -> grouping = grouping(kv[1], text);
                    default -> throw new IllegalArgumentException("--task " + text + ": unknown setting " + kv[0]);
                }
            }
            return new TaskOption(text.substring(0, eq), Path.of(parts[0]), scale, weight, grouping, share);
        }

        private static Grouping grouping(String value, String option) {
            if (value.equals("source")) {
                return Grouping.bySourcePrefix();
            }
            if (value.equals("dup")) {
                return Grouping.byNearDuplicates(10);
            }
            if (value.startsWith("pattern:")) {
                return Grouping.byPattern(value.substring("pattern:".length()));
            }
            throw new IllegalArgumentException("--task " + option + ": group must be dup, source or pattern:REGEX");
        }
    }
}
