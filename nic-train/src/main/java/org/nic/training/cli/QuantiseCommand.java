package org.nic.training.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.training.data.CalibrationPatches;
import org.nic.training.model.EncoderPackage;
import org.nic.training.model.EncoderQuantizer;
import org.nic.training.model.EncoderWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nic-train quantise-encoder}: an INT8 encoder (ONNX QDQ) from a float one, calibrated on tissue images,
 * written with its own card: the float model it came from (id and SHA-256), the calibration data and the method.
 */
@Command(name = "quantise-encoder", description = "Static INT8 quantisation (ONNX QDQ, per-channel int8 weights, uint8"
        + " activations) of a float encoder, calibrated on tissue images that are no probe target.")
final class QuantiseCommand implements Callable<Integer> {

    @Option(names = "--encoder", required = true, description = "the float encoder's folder (model.onnx + card.json)")
    Path encoder;

    @Option(names = "--calibration", required = true, description = "an image of H&E tissue (repeatable)")
    List<Path> calibration;

    @Option(names = "--calibration-scale", defaultValue = "1.0", description = "factor bringing the images to 0.5 um/px")
    double scale;

    @Option(names = "--stride", defaultValue = "16", description = "pixels between 128 px calibration crops")
    int stride;

    @Option(names = "--calibration-method", defaultValue = "MINMAX", description = "MINMAX (the seen range) or MSE (the seen range shrunk to least quantisation error)")
    EncoderQuantizer.Calibration method;

    @Option(names = "--keep-norms", description = "keep every batch norm as a float multiply-add instead of folding it into"
            + " the weights (slower; for comparison)")
    boolean keepNorms;

    @Option(names = "--id", required = true, description = "the INT8 encoder's id")
    String id;

    @Option(names = "--out", required = true, description = "output folder (model.onnx + card.json)")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelCard source = ModelCard.read(encoder.resolve(ModelCard.FILE_NAME));
        EncoderWeights weights = EncoderQuantizer.fromOnnx(source.verifiedModel(encoder));
        CalibrationPatches.Patches patches = CalibrationPatches.of(calibration, scale, stride);
        EncoderQuantizer.Quantised q = EncoderQuantizer.quantise(weights, patches.values(), patches.count(), id, method, !keepNorms);
        Files.createDirectories(out);
        Files.write(out.resolve(EncoderPackage.MODEL_FILE), q.onnx());
        Map<String, Object> ranges = new LinkedHashMap<>();
        q.ranges().forEach((name, r) -> ranges.put(name, List.of(r.min(), r.max())));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("quantised-from", Map.of("id", source.id(), "sha256", source.sha256()));
        properties.put("method", "static INT8 in ONNX QDQ format: " + (keepNorms ? "batch norms kept as float multiply-adds after each"
                + " LeakyReLU" : "each batch norm folded, its scale's magnitude into its own convolution's rows (through the LeakyReLU),"
                + " its sign and shift into the next layer") + "; weights int8 symmetric per output channel, 7 bits (-63 to 63: no 16-bit saturation on CPUs without VNNI); activations uint8 asymmetric per tensor, ranges from the float model on the calibration"
                + " patches (one thread), " + (method == EncoderQuantizer.Calibration.MSE ? "the seen min/max shrunk by the factor"
                + " (0.2 to 1) of least quantisation error" : "the seen min/max") + "; biases int32 at input x weight scale");
        properties.put("calibration", Map.of("files", calibration.stream().map(Path::toString).toList(),
                "scale", scale, "stride", stride, "orientations", 8, "patches", patches.count(), "method", method.name(), "fold-norms", !keepNorms));
        properties.put("activation-ranges", ranges);
        List<String> args = new ArrayList<>(List.of("quantise-encoder", "--encoder", encoder.toString()));
        for (Path c : calibration) {
            args.add("--calibration");
            args.add(c.toString());
        }
        args.addAll(List.of("--calibration-scale", String.valueOf(scale), "--stride", String.valueOf(stride),
                "--calibration-method", method.name()));
        if (keepNorms) {
            args.add("--keep-norms");
        }
        args.addAll(List.of("--id", id,
                "--out", out.toString()));
        ModelCard card = new ModelCard(id, "encoder", EncoderPackage.MODEL_FILE, Sha256.hex(q.onnx()), "onnx",
                source.input(), source.output(), "static INT8 (ONNX QDQ) of " + source.id() + ": " + source.architecture()
                        + (keepNorms ? "" : "; batch norms folded"), source.parameters(), source.tasks(),
                "the weights of " + source.id() + " (" + source.data() + "); activation ranges calibrated on " + patches.count()
                        + " crops of " + calibration.stream().map(p -> p.getFileName().toString()).toList(),
                source.seed(), Map.of(), TrainingCli.commandLine("quantise-encoder", args.toArray(String[]::new)),
                source.licence(), source.attribution() == null ? "NIC project" : source.attribution() + "; quantised by NIC",
                Instant.now(), properties);
        card.write(out);
        Path licence = encoder.resolve("LICENSE");
        if (Files.exists(licence)) {
            Files.copy(licence, out.resolve("LICENSE"), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf("%s: INT8 of %s from %d calibration patches, sha256 %s%n", id, source.id(), patches.count(), card.sha256());
        q.ranges().forEach((name, r) -> System.out.printf("  %-10s [%.4f, %.4f] scale %.5f zero point %d%n", name, r.min(), r.max(),
                r.scale(), r.zeroPoint()));
        return 0;
    }
}
