package org.nic.training.head;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nic.grid.CompressedGrid;
import org.nic.model.TaskKind;

/**
 * Trains a gigapixel head on compressed grids: the whole grid when the crop can hold it (shifted within
 * the margin), else random crops centred on tissue cells (zero-padded at the edges), in random orientations
 * (4 rotations x flip); MSE on standardised targets (regression), binary or
 * multi-class cross-entropy (classification), or the Cox partial likelihood over the batch (survival);
 * Adam with cosine decay; seeded. The exported head outputs values in the label's units (the
 * standardisation is folded into the output layer), probabilities, or log-risk.
 */
public final class HeadTrainer {

    /**
     * @param kind task kind
     * @param classes number of classes (classification)
     * @param crop crop edge in cells (the paper: 400; capped at the largest grid extent)
     * @param epochs passes over the training slides
     * @param batchSize crops per step
     * @param learningRate Adam's initial learning rate
     * @param seed seed of initialisation, sampling and augmentation
     */
    /**
     * How to train a head.
     *
     * @param members how many ridge models, each on its own cell types, the arrangement heads average (a seed
     *                ensemble in one ONNX graph: {@link ArrangementHead}); 1 is a single model. The CNNs ignore it.
     */
    public record Settings(TaskKind kind, int classes, int crop, int epochs, int batchSize, float learningRate, long seed,
                           Type type, int minSteps, boolean meanCode, boolean slideNorm, int members) {
        public Settings {
            if (members < 1) {
                throw new IllegalArgumentException("members must be at least 1: " + members);
            }
        }

        public Settings(TaskKind kind, int classes, int crop, int epochs, int batchSize, float learningRate, long seed) {
            this(kind, classes, crop, epochs, batchSize, learningRate, seed, Type.GIGAPIXEL, 0, true, SLIDE_NORM, 1);
        }

        public Settings withType(Type other) {
            return new Settings(kind, classes, crop, epochs, batchSize, learningRate, seed, other, minSteps, meanCode, slideNorm,
                    members);
        }

        /** Whether the gigapixel CNN's output reads the standardised mean tissue code ({@link GigapixelHead}). */
        public Settings withMeanCode(boolean reads) {
            return new Settings(kind, classes, crop, epochs, batchSize, learningRate, seed, type, minSteps, reads, slideNorm,
                    members);
        }

        /** Whether the gigapixel CNN's arrangement branch reads slide-standardised codes ({@link GigapixelHead#slideNormalised}). */
        public Settings withSlideNorm(boolean on) {
            return new Settings(kind, classes, crop, epochs, batchSize, learningRate, seed, type, minSteps, meanCode, on, members);
        }

        /**
         * At least this many optimiser steps, whatever the cohort's size: an epoch of 40 slides in batches
         * of 8 is 5 steps, and 30 of them do not train a CNN.
         */
        public Settings withMinSteps(int steps) {
            return new Settings(kind, classes, crop, epochs, batchSize, learningRate, seed, type, steps, meanCode, slideNorm,
                    members);
        }

        /** How many members the arrangement heads average ({@link #members()}). */
        public Settings withMembers(int count) {
            return new Settings(kind, classes, crop, epochs, batchSize, learningRate, seed, type, minSteps, meanCode, slideNorm,
                    count);
        }
    }

    /** The members of an arrangement head that the trainer and the cohort's evaluation train by default. */
    public static final int MEMBERS = 5;

    /** The default of {@link Settings#slideNorm()}. */
    public static final boolean SLIDE_NORM = false;

    /**
     * Which head: the paper's CNN, gated attention pooling for small cohorts, or a ridge model on the join ratios of
     * cell types ({@link ArrangementHead}), with or without their shares, or those two averaged (the blend).
     */
    public enum Type { GIGAPIXEL, ATTENTION, ARRANGEMENT, ARRANGEMENT_COMPOSITION, ARRANGEMENT_BLEND;

        /** Whether this is one of the ridge heads ({@link ArrangementHead}), which train in seconds. */
        public boolean ridge() {
            return this == ARRANGEMENT || this == ARRANGEMENT_COMPOSITION || this == ARRANGEMENT_BLEND;
        }
    }

    /**
     * A trained head.
     *
     * @param onnx the exported model (input grid crops, output value / probabilities / log-risk)
     * @param crop crop edge in cells it was trained on
     * @param slides slides (grids) it was trained on
     * @param meanCode whether its output reads the standardised mean tissue code (a gigapixel CNN's option)
     */
    public record Result(Type type, byte[] onnx, OnnxHeadExporter.Activation activation, int crop, List<Double> epochLosses,
                         int slides, boolean meanCode) { }

    private HeadTrainer() {
    }

    public static int outputs(TaskKind kind, int classes) {
        return kind == TaskKind.CLASSIFICATION && classes > 2 ? classes : 1;
    }

    public static OnnxHeadExporter.Activation activation(TaskKind kind, int classes) {
        if (kind != TaskKind.CLASSIFICATION) {
            return OnnxHeadExporter.Activation.NONE;
        }
        return classes > 2 ? OnnxHeadExporter.Activation.SOFTMAX : OnnxHeadExporter.Activation.SIGMOID;
    }

    /**
     * The sizes of one epoch's batches: {@code batchSize} each, except that a last batch of one slide joins the
     * batch before it. Batch normalisation cannot train on one sample (PyTorch refuses it), and a Cox partial
     * likelihood over one slide is zero, so a lone slide would fail the run or be wasted.
     */
    static int[] batchSizes(int n, int batchSize) {
        if (n < 1 || batchSize < 1) {
            throw new IllegalArgumentException("n and batchSize must be positive: " + n + ", " + batchSize);
        }
        int steps = Math.max(1, (n + batchSize - 1) / batchSize);
        if (steps > 1 && n % batchSize == 1) {
            steps--;
        }
        int[] sizes = new int[steps];
        java.util.Arrays.fill(sizes, batchSize);
        sizes[steps - 1] = n - batchSize * (steps - 1);
        return sizes;
    }

    public static Result train(List<CompressedGrid> grids, List<HeadLabel> labels, Settings s) {
        if (grids.size() != labels.size() || grids.isEmpty()) {
            throw new IllegalArgumentException("one label per grid, at least one grid");
        }
        if (s.type().ridge()) {
            return ArrangementHead.train(grids, labels, s, s.type());
        }
        int channels = grids.get(0).channels();
        int extent = grids.stream().mapToInt(g -> Math.max(g.rows(), g.cols())).max().orElse(1);
        int crop = Math.min(s.crop(), extent);
        int outputs = outputs(s.kind(), s.classes());
        double mean = 0;
        double sd = 1;
        if (s.kind() == TaskKind.REGRESSION) {
            mean = labels.stream().mapToDouble(HeadLabel::value).average().orElse(0);
            double m = mean;
            sd = Math.sqrt(labels.stream().mapToDouble(l -> (l.value() - m) * (l.value() - m)).average().orElse(1));
            sd = sd > 0 ? sd : 1;
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) s.seed());
        Random random = new Random(s.seed());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < grids.size(); i++) {
            order.add(i);
        }
        int[] batches = batchSizes(grids.size(), s.batchSize());
        int steps = batches.length;
        int epochs = Math.max(s.epochs(), (s.minSteps() + steps - 1) / steps);
        List<Double> losses = new ArrayList<>();
        try (Model model = Model.newInstance("head", Device.cpu(), "PyTorch")) {
            ai.djl.nn.Block head = s.type() == Type.ATTENTION ? new AttentionHead(outputs) : new GigapixelHead(channels, outputs, s.meanCode(), s.slideNorm());
            model.setBlock(head);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.cosine().setBaseValue(s.learningRate())
                            .optFinalValue(s.learningRate() / 100).setMaxUpdates(Math.max(1, steps * epochs)).build()).build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(s.batchSize(), channels, crop, crop));
                if (head instanceof GigapixelHead gigapixel) {
                    gigapixel.initialiseTypes(grids, s.seed());
                }
                int plane = channels * crop * crop;
                for (int epoch = 0; epoch < epochs; epoch++) {
                    Collections.shuffle(order, random);
                    double sum = 0;
                    int first = 0;
                    for (int step = 0; step < steps; first += batches[step], step++) {
                        int b = batches[step];
                        if (b < 2 && s.kind() == TaskKind.SURVIVAL) {
                            continue;
                        }
                        float[] x = new float[b * plane];
                        float[] y = new float[b];
                        float[] time = new float[b];
                        float[] event = new float[b];
                        for (int k = 0; k < b; k++) {
                            int i = order.get(first + k);
                            CompressedGrid g = grids.get(i);
                            List<int[]> cells = g.tissueCells();
                            // The whole slide when the crop can hold it (shifted within the margin), else a crop
                            // centred on a random tissue cell, as the paper samples gigapixel slides.
                            int[] centre = g.fitsIn(crop) ? g.wholeGridCentre(crop, 2 * random.nextDouble() - 1,
                                    2 * random.nextDouble() - 1)
                                    : cells.isEmpty() ? new int[] {g.rows() / 2, g.cols() / 2}
                                    : cells.get(random.nextInt(cells.size()));
                            g.crop(centre[0], centre[1], crop, random.nextInt(8), x, k * plane);
                            HeadLabel l = labels.get(i);
                            y[k] = (float) ((l.value() - mean) / sd);
                            time[k] = (float) l.time();
                            event[k] = l.event() ? 1 : 0;
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray input = m.create(x, new Shape(b, channels, crop, crop));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray out = trainer.forward(new NDList(input)).singletonOrThrow();
                                NDArray loss = loss(s.kind(), outputs, out, m.create(y), m.create(time), m.create(event));
                                sum += loss.getFloat();
                                gc.backward(loss);
                            }
                            trainer.step();
                        }
                    }
                    losses.add(sum / steps);
                }
                OnnxHeadExporter.Activation activation = activation(s.kind(), s.classes());
                byte[] onnx;
                if (head instanceof AttentionHead attention) {
                    AttentionWeights w = attention.weights(channels);
                    onnx = OnnxHeadExporter.toOnnx(s.kind() == TaskKind.REGRESSION ? w.destandardised(mean, sd) : w, activation,
                            "nic-head-attention");
                } else {
                    HeadWeights w = ((GigapixelHead) head).weights(channels);
                    onnx = OnnxHeadExporter.toOnnx(s.kind() == TaskKind.REGRESSION ? destandardised(w, mean, sd) : w, activation,
                            "nic-head-gigapixel");
                }
                return new Result(s.type(), onnx, activation, crop, losses, grids.size(),
                        s.type() == Type.GIGAPIXEL && s.meanCode());
            }
        }
    }

    static NDArray loss(TaskKind kind, int outputs, NDArray out, NDArray y, NDArray time, NDArray event) {
        switch (kind) {
            case REGRESSION:
                return out.reshape(-1).sub(y).square().mean();
            case CLASSIFICATION:
                if (outputs == 1) {
                    // Binary cross-entropy on logits, in its stable form: max(z, 0) - z y + log(1 + exp(-|z|)).
                    NDArray z = out.reshape(-1);
                    return z.maximum(0f).sub(z.mul(y)).add(z.abs().neg().exp().add(1f).log()).mean();
                }
                NDArray oneHot = y.toType(DataType.INT64, false).oneHot(outputs);
                return out.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
            case SURVIVAL:
            default:
                // Cox partial likelihood (Breslow for ties): sort by time descending so the risk set of each
                // slide is everything before it, then -sum over events of (r_i - log sum_{t_j >= t_i} exp(r_j)).
                NDArray r = out.reshape(-1);
                NDArray idx = time.neg().argSort();
                NDArray rs = r.get(idx);
                NDArray es = event.get(idx);
                NDArray max = rs.max();
                NDArray logRisk = rs.sub(max).exp().cumSum(0).log().add(max);
                NDArray events = es.sum().maximum(1f);
                return rs.sub(logRisk).mul(es).sum().div(events).neg();
        }
    }

    /** Folds y = z * sd + mean into the output layer, so the head outputs values in label units. */
    static HeadWeights destandardised(HeadWeights w, double mean, double sd) {
        float[] out = w.output().clone();
        float[] bias = w.outputBias().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= (float) sd;
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) (bias[i] * sd + mean);
        }
        return new HeadWeights(w.codeSize(), w.layers(), w.fractions(), w.fractionsBias(), w.dense(), w.denseBias(), w.codeCentre(), w.codeScale(), out,
                bias, w.outputs(), w.slideNorm());
    }
}
