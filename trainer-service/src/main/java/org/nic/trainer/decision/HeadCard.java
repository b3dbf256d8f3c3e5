package org.nic.trainer.decision;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.label.TaskDefinition;
import org.nic.model.ModelCard;
import org.nic.training.head.HeadTrainer;

/** The model card of a head a run publishes: what it is, what it reads and returns, and the evidence it passed on. */
public final class HeadCard {

    private HeadCard() {
    }

    /**
     * @param labels   how many labels the run read (with grids)
     * @param snapshot the SHA-256 of those labels ({@code labelSnapshot})
     */
    public static ModelCard of(TaskDefinition def, TrainingRun.Policy policy, TrainingRun.Decision run, String encoder,
                               String version, String sha256, int labels, String snapshot, Instant at) {
        HeadTrainer.Result head = run.published();
        String metricName = TaskScoring.metricName(def.kind());
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("kind", def.kind().name());
        properties.put("headType", head.type().name());
        properties.put("meanCodeReadout", head.meanCode());
        properties.put("classes", def.classes());
        properties.put("encoderId", encoder);
        properties.put("trainedOnSlides", head.slides());
        // Which slides it learnt from: a later run judges a challenger against it only on held-out slides outside these.
        properties.put("trainedOnSlideIds", run.trainedOn());
        properties.put("refitOnAllLabelled", run.refit() != null);
        properties.put("crop", head.crop());
        properties.put("crops", policy.crops());
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
        properties.put("labelSnapshot", Map.of("count", labels, "sha256", snapshot));
        properties.put("publishGate", Map.of("level", policy.gateLevel(), "resamples", policy.gateResamples(),
                "heldOutInterval", List.of(run.gate().metricLower(), run.gate().metricUpper()), "gain", run.gate().gain(),
                "gainLower", run.gate().gainLower(), "against", run.againstChampion() ? "champion" : "baseline",
                "judgedOn", run.judgedOutOfFold() ? "held-out slides and the training slides' out-of-fold outputs"
                        : "held-out slides",
                "slides", run.judgedSlides()));
        return new ModelCard(def.name() + "-" + version, "head", "model.onnx", sha256, "onnx", "grid", "output",
                architecture(head),
                0, List.of(def.name()),
                run.trainSlides() + " training slides, " + run.heldOutSlides() + " held-out slides" + (run.judgedOutOfFold()
                        ? ", judged with the training slides' out-of-fold outputs too (" + run.judgedSlides() + " in all)" : "")
                        + (run.refit() != null ? "; once the gate passed, the same candidate trained again on all "
                        + run.trainedOn().size() + " labelled slides (the gate's figures are those of the head trained without "
                        + "the held-out slides)" : ""),
                policy.seed(), Map.of(metricName, run.metric(), "baseline." + metricName, run.baseline()), "trainer-service",
                "Apache-2.0", "NIC trainer-service", at, properties);
    }

    /** The card's description of a trained head. */
    public static String architecture(HeadTrainer.Result head) {
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

}
