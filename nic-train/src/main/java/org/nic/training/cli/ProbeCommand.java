package org.nic.training.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nic.model.ModelCard;
import org.nic.training.data.PatchDataset;
import org.nic.training.data.PatchExample;
import org.nic.training.data.Splits;
import org.nic.training.model.RandomEncoder;
import org.nic.training.probe.LinearProbe;
import org.nic.training.probe.OnnxCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Linear-probe table: for each encoder and each task, a logistic regression on frozen codes trained on
 * the task's training split and scored on its validation split (the same group-level splits, seed and
 * held-out sources as training), with all labels and with 20 and 5 labels per class (mean of 5 draws).
 */
@Command(name = "probe", description = "Linear-probe accuracy of encoders on each task's validation split (markdown table).")
final class ProbeCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, description = "as for train-encoder")
    List<String> tasks;

    @Option(names = "--encoder", required = true, description = "encoder folder (model.onnx + card.json), repeatable")
    List<Path> encoders;

    @Option(names = "--random-init", defaultValue = "true", description = "add a randomly initialised encoder of the paper's architecture")
    boolean randomInit;

    @Option(names = "--seed", defaultValue = "17")
    long seed;

    @Option(names = "--validation-share", defaultValue = "0.25")
    double validationShare;

    @Option(names = "--held-out", split = ",")
    List<String> heldOut = new ArrayList<>();

    @Option(names = "--out", description = "also write the table to this file")
    Path out;

    @Override
    public Integer call() throws Exception {
        PatchDataset data = TrainingCli.TaskOption.load(tasks);
        Map<String, byte[]> models = new LinkedHashMap<>();
        for (Path dir : encoders) {
            ModelCard card = ModelCard.read(dir.resolve(ModelCard.FILE_NAME));
            models.put(card.id(), card.verifiedModel(dir));
        }
        if (randomInit) {
            models.put(RandomEncoder.ID, RandomEncoder.onnx(seed));
        }
        StringBuilder table = new StringBuilder();
        table.append("| encoder |");
        for (var task : data.tasks()) {
            table.append(String.format(" %s: all | %s: 20/class | %s: 5/class |", task.name(), task.name(), task.name()));
        }
        table.append("\n|---|").append("---|---|---|".repeat(data.tasks().size())).append("\n");
        for (var entry : models.entrySet()) {
            table.append("| ").append(entry.getKey()).append(" |");
            for (int t = 0; t < data.tasks().size(); t++) {
                List<PatchExample> all = data.examplesOf(t);
                double share = data.tasks().get(t).validationShare(validationShare);
                List<PatchExample> train = Splits.train(all, share, seed, Set.copyOf(heldOut));
                List<PatchExample> test = Splits.validation(all, share, seed, Set.copyOf(heldOut));
                float[][] trainCodes = OnnxCodes.encode(entry.getValue(), train);
                float[][] testCodes = OnnxCodes.encode(entry.getValue(), test);
                int[] trainLabels = train.stream().mapToInt(e -> (int) e.label()).toArray();
                int[] testLabels = test.stream().mapToInt(e -> (int) e.label()).toArray();
                double full = LinearProbe.accuracy(trainCodes, trainLabels, testCodes, testLabels);
                double twenty = LinearProbe.fewLabelAccuracy(trainCodes, trainLabels, testCodes, testLabels, 20, 5, seed);
                double five = LinearProbe.fewLabelAccuracy(trainCodes, trainLabels, testCodes, testLabels, 5, 5, seed);
                table.append(String.format(" %.3f | %.3f | %.3f |", full, twenty, five));
            }
            table.append("\n");
            System.err.println("probed " + entry.getKey());
        }
        StringBuilder header = new StringBuilder();
        for (int t = 0; t < data.tasks().size(); t++) {
            List<PatchExample> all = data.examplesOf(t);
            double share = data.tasks().get(t).validationShare(validationShare);
            List<PatchExample> train = Splits.train(all, share, seed, Set.copyOf(heldOut));
            List<PatchExample> test = Splits.validation(all, share, seed, Set.copyOf(heldOut));
            header.append(String.format("- %s: %d training / %d validation patches, %d / %d groups%n", data.tasks().get(t).name(),
                    train.size(), test.size(), train.stream().map(PatchExample::group).distinct().count(),
                    test.stream().map(PatchExample::group).distinct().count()));
        }
        String text = header + "\n" + table;
        System.out.print(text);
        if (out != null) {
            Files.writeString(out, text);
        }
        return 0;
    }
}
