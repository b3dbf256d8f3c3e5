package org.nic.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.nic.event.EventJson;
import org.nic.hash.Sha256;

/**
 * What a model file is, stored beside it as {@code card.json}: a service refuses a model whose SHA-256
 * does not match its card.
 *
 * @param id model id, e.g. {@code mtl-nic-v2}
 * @param kind {@code encoder} or {@code head}
 * @param file model file name beside the card ({@code model.onnx})
 * @param sha256 hex SHA-256 of the model file
 * @param format {@code onnx}
 * @param input input name, layout and value range
 * @param output output name and layout
 * @param architecture human description of the network
 * @param parameters number of trained parameters
 * @param tasks training tasks (empty for imported or untrained models)
 * @param data training data summary
 * @param seed training seed, when trained here
 * @param metrics named figures (validation metrics, probe accuracies)
 * @param command the exact command that reproduces this model
 * @param licence licence of the weights
 * @param attribution who made it, where it came from
 * @param createdAt when the file was written
 * @param properties what running the model needs beyond its ONNX contract (heads: task kind, classes,
 *     encoder id, crop size, crops averaged), null for encoders
 */
public record ModelCard(String id, String kind, String file, String sha256, String format, String input, String output,
                        String architecture, long parameters, List<String> tasks, String data, Long seed,
                        Map<String, Double> metrics, String command, String licence, String attribution,
                        Instant createdAt, Map<String, Object> properties) {

    public static final String FILE_NAME = "card.json";

    public static ModelCard read(Path card) {
        try {
            return EventJson.mapper().readValue(card.toFile(), ModelCard.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model card " + card, e);
        }
    }

    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            EventJson.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE_NAME).toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model card to " + dir, e);
        }
    }

    /**
     * The model file's bytes, after checking them against the card's SHA-256.
     *
     * @throws IllegalStateException when the hash does not match
     */
    public byte[] verifiedModel(Path dir) {
        try {
            byte[] bytes = Files.readAllBytes(dir.resolve(file));
            String actual = Sha256.hex(bytes);
            if (!actual.equals(sha256)) {
                throw new IllegalStateException("model " + id + ": " + dir.resolve(file) + " has sha256 " + actual
                        + " but its card says " + sha256 + "; refusing it");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file of " + id, e);
        }
    }
}
