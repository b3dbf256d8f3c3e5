package org.nic.training.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;

/** Writes an encoder as {@code model.onnx + card.json} in a folder, the registry layout. */
public final class EncoderPackage {

    public static final String MODEL_FILE = "model.onnx";
    public static final String INPUT = "patches: float32 N x 3 x 128 x 128, RGB at 0.5 um/px scaled to [-1, 1] (v / 127.5 - 1)";
    public static final String OUTPUT = "codes: float32 N x C";

    private EncoderPackage() {
    }

    public static ModelCard write(Path dir, String id, EncoderWeights weights, List<String> tasks, String data, Long seed,
                                  Map<String, Double> metrics, String command, String licence, String attribution) {
        return write(dir, id, weights, tasks, data, seed, metrics, command, licence, attribution, null);
    }

    /** As {@link #write}, with extra card properties (e.g. datasets and their licences, a transfer report). */
    public static ModelCard write(Path dir, String id, EncoderWeights weights, List<String> tasks, String data, Long seed,
                                  Map<String, Double> metrics, String command, String licence, String attribution,
                                  Map<String, Object> properties) {
        byte[] onnx = OnnxEncoderExporter.toOnnx(weights, id);
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(MODEL_FILE), onnx);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelCard card = new ModelCard(id, "encoder", MODEL_FILE, Sha256.hex(onnx), "onnx", INPUT,
                OUTPUT.replace("C", String.valueOf(weights.codeSize())), describe(weights), weights.parameterCount(), tasks,
                data, seed, metrics, command, licence, attribution, Instant.now(), properties);
        card.write(dir);
        return card;
    }

    static String describe(EncoderWeights w) {
        if (EncoderWeights.MEAN_RGB.equals(w.kind())) {
            return "mean RGB of the 128 px patch (3 features)";
        }
        return String.format("%dx%d average pool; %d x [conv 3x3, %d filters, stride 2, valid -> LeakyReLU(%.1f) -> batch norm];"
                        + " flatten %d (%s order); dense %d", w.inputPool(), w.inputPool(), w.convs().size(),
                w.convs().get(0).outChannels(), w.leak(), w.dense().in(), w.flattenNhwc() ? "h,w,c" : "c,h,w", w.dense().out());
    }
}
