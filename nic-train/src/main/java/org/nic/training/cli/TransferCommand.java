package org.nic.training.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nic.event.EventJson;
import org.nic.model.ModelCard;
import org.nic.training.data.PatchDataset;
import org.nic.training.model.KerasEncoderImporter;
import org.nic.training.model.RandomEncoder;
import org.nic.training.transfer.Recipe;
import org.nic.training.transfer.TransferEvaluation;
import org.nic.training.transfer.TransferReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nic-train transfer}: the leave-one-dataset-out table that ranks encoders (docs/encoder.md). */
@Command(name = "transfer", description = "Leave-one-dataset-out transfer table: train each recipe without each dataset, "
        + "probe on it; probe ready-made encoders on every dataset.")
final class TransferCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "labelled dataset, as train-encoder's --task (repeatable)")
    List<String> datasets;

    @Option(names = "--recipe", description = "recipes to train (default: all of ${COMPLETION-CANDIDATES})",
            completionCandidates = RecipeNames.class)
    List<String> recipes = new ArrayList<>();

    @Option(names = "--probe-only", description = "train no recipe: probe the ready-made encoders only")
    boolean probeOnly;

    @Option(names = "--init-from", defaultValue = "../shared/data/models/nic-paper/encoder_multitask-4.h5",
            description = "released encoder the warm recipes continue from (default: ${DEFAULT-VALUE})")
    Path initFrom;

    @Option(names = "--encoder", description = "ready-made encoder folder (model.onnx + card.json) to probe as it is (repeatable)")
    List<Path> encoders = new ArrayList<>();

    @Option(names = "--random-init", defaultValue = "true", negatable = true,
            description = "also probe an untrained network of the paper's architecture")
    boolean randomInit;

    @Option(names = "--steps", defaultValue = "1200", description = "training steps of every run (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--folds", defaultValue = "5")
    int folds;

    @Option(names = "--draws", defaultValue = "5", description = "few-label draws per fold")
    int draws;

    @Option(names = "--seed", defaultValue = "17")
    long seed;

    @Option(names = "--out", required = true, description = "folder for the trained encoders and transfer.{md,json}")
    Path out;

    static final class RecipeNames extends ArrayList<String> {
        RecipeNames() {
            super(Recipe.all().stream().map(Recipe::name).toList());
        }
    }

    @Override
    public Integer call() throws Exception {
        PatchDataset data = TrainingCli.TaskOption.load(datasets);
        Map<String, byte[]> ready = new LinkedHashMap<>();
        for (Path dir : encoders) {
            ModelCard card = ModelCard.read(dir.resolve(ModelCard.FILE_NAME));
            ready.put(card.id(), card.verifiedModel(dir));
        }
        if (randomInit) {
            ready.put(RandomEncoder.ID, RandomEncoder.onnx(seed));
        }
        List<Recipe> chosen = probeOnly ? List.of() : recipes.isEmpty() ? Recipe.all() : recipes.stream().map(Recipe::named).toList();
        Files.createDirectories(out);
        System.err.printf("[transfer] %d datasets %s, recipes %s, %d ready-made encoders, %d steps per run%n",
                data.tasks().size(), data.tasks().stream().map(t -> t.name()).toList(),
                chosen.stream().map(Recipe::name).toList(), ready.size(), steps);
        TransferEvaluation.Report report = TransferEvaluation.run(data, new TransferEvaluation.Settings(steps, seed, folds,
                draws, probeOnly ? null : KerasEncoderImporter.read(initFrom), ready, chosen, out), System.err);
        String md = TransferReport.markdown(report) + choice(report);
        Files.writeString(out.resolve("transfer.md"), md);
        Files.write(out.resolve("transfer.json"), EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        System.out.print(md);
        if (report.rows().stream().anyMatch(r -> r.kind().equals("candidate"))) {
            Files.writeString(out.resolve("winner.txt"), TransferReport.winner(report).encoder() + "\n");
        }
        return 0;
    }

    /** The rule's choice, and how it compares with the released multitask encoder, column by column. */
    static String choice(TransferEvaluation.Report report) {
        if (report.rows().stream().noneMatch(r -> r.kind().equals("candidate"))) {
            return "";
        }
        TransferEvaluation.Row winner = TransferReport.winner(report);
        StringBuilder s = new StringBuilder(String.format("%nRule: highest LODO mean among candidates: **%s** (%.3f).",
                winner.encoder(), winner.lodoMean()));
        report.rows().stream().filter(r -> r.encoder().equals("nic-paper-multitask-4")).findFirst().ifPresent(mt4 -> {
            List<String> behind = TransferReport.notBeating(winner, mt4);
            s.append(String.format(" nic-paper-multitask-4: %.3f; %s.", mt4.lodoMean(), behind.isEmpty()
                    ? "the winner beats it on every column (all and k5)"
                    : "the winner does not beat it on " + String.join(", ", behind)));
        });
        return s.append('\n').toString();
    }
}
