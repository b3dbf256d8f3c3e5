package org.nic.training.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nic.training.data.Augmenter;
import org.nic.training.data.PatchDataset;
import org.nic.training.data.PatchExample;
import org.nic.training.data.Splits;
import org.nic.training.data.TaskSpec;
import org.nic.training.model.EncoderArchitecture;
import org.nic.training.model.EncoderWeights;
import org.nic.training.model.MtlNetwork;

/**
 * Supervised multitask training of the NIC encoder in DJL (PyTorch engine, CPU). Every batch holds
 * {@code batchPerTask} augmented patches of each task; the loss is the weighted sum of the tasks' losses
 * (softmax cross-entropy, or mean squared error for regression), each classification loss divided by
 * ln(classes) when balanced, so that every task starts at loss 1 and none dominates by its class count.
 * Adam with a cosine learning-rate decay.
 *
 * <p>A warm start continues from released weights and keeps what made them general: first the new task
 * heads alone are trained on the frozen encoder (linear probing, then fine-tuning: Kumar et al., ICLR
 * 2022), then the encoder is fine-tuned at its own, lower rate with its first blocks frozen for a while,
 * and a decoupled L2-SP pull towards the starting weights after every step ({@code w -= lr * anchor *
 * (w - w0)}, as AdamW decays towards zero; with Adam's unit-sized steps a weight then settles at most
 * about {@code 1 / anchor} from where it started). Heads always learn at {@code headLearningRate}.
 *
 * <p>Seeded: the same data, settings and seed give the same run on the same machine.
 */
public final class MtlTrainer {

    /**
     * @param epochs passes; one epoch = enough steps for the largest task's training split
     * @param batchPerTask patches of each task in a batch
     * @param learningRate Adam's initial learning rate
     * @param seed seed of initialisation, sampling and augmentation
     * @param validationShare share of groups held out per task
     * @param heldOutGroups whole groups (sources) always held out for validation
     * @param augment augmentation strengths (null: none)
     * @param architecture encoder shape
     * @param init weights to continue from (null: random initialisation)
     * @param warmStart how to continue from {@code init} (null: plain continued training)
     * @param steps optimiser steps; when positive it replaces {@code epochs} (so that runs on tasks of
     *     different sizes get the same budget)
     * @param balanceTaskLosses divide each classification loss by ln(classes)
     * @param headLearningRate Adam's initial rate for the task heads ({@code learningRate} is the encoder's)
     */
    public record Settings(int epochs, int batchPerTask, float learningRate, long seed, double validationShare,
                           Set<String> heldOutGroups, Augmenter.Strength augment, EncoderArchitecture architecture,
                           EncoderWeights init, WarmStart warmStart, int steps, boolean balanceTaskLosses,
                           float headLearningRate) {

        public Settings(int epochs, int batchPerTask, float learningRate, long seed, double validationShare,
                        Set<String> heldOutGroups, Augmenter.Strength augment, EncoderArchitecture architecture,
                        EncoderWeights init) {
            this(epochs, batchPerTask, learningRate, seed, validationShare, heldOutGroups, augment, architecture, init,
                    null, 0, false, learningRate);
        }
    }

    /**
     * How a warm start keeps the released encoder's generality.
     *
     * @param headOnlySteps steps that train the task heads alone, the whole encoder frozen
     * @param frozenBlocks leading convolution blocks (conv + batch norm) kept frozen ...
     * @param frozenSteps ... until this step (counted from the start)
     * @param anchor strength of the decoupled L2-SP pull towards the starting weights (0: none)
     */
    public record WarmStart(int headOnlySteps, int frozenBlocks, int frozenSteps, float anchor) { }

    /** One task's figures after an epoch. */
    public record TaskFigures(String task, double trainLoss, double validationLoss, double validationAccuracy,
                              int trainCount, int validationCount) { }

    /** One epoch's log line. */
    public record Epoch(int epoch, List<TaskFigures> tasks, double patchesPerSecond) { }

    public record Result(EncoderWeights encoder, List<Epoch> history, long seconds) {
        public Epoch last() {
            return history.get(history.size() - 1);
        }
    }

    private MtlTrainer() {
    }

    public static Result train(PatchDataset data, Settings s, PrintStream progress) {
        List<TaskSpec> tasks = data.tasks();
        int n = tasks.size();
        List<List<PatchExample>> train = new ArrayList<>();
        List<List<PatchExample>> validation = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            List<PatchExample> all = data.examplesOf(t);
            double share = tasks.get(t).validationShare(s.validationShare());
            train.add(new ArrayList<>(Splits.train(all, share, s.seed(), s.heldOutGroups())));
            validation.add(Splits.validation(all, share, s.seed(), s.heldOutGroups()));
            // No validation patches is allowed (a final model trained on everything): figures are then NaN.
            if (train.get(t).isEmpty() || (validation.get(t).isEmpty() && share > 0)) {
                throw new IllegalArgumentException("task " + tasks.get(t).name() + " has " + train.get(t).size()
                        + " training and " + validation.get(t).size() + " validation patches; both must be non-empty");
            }
        }
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) s.seed());
        int batch = s.batchPerTask() * n;
        int epochs;
        int[] epochSteps;
        if (s.steps() > 0) {
            // A fixed budget of exactly s.steps(), split into about five parts, each followed by validation.
            epochs = Math.min(5, s.steps());
            epochSteps = new int[epochs];
            for (int e = 0; e < epochs; e++) {
                epochSteps[e] = (int) ((long) s.steps() * (e + 1) / epochs - (long) s.steps() * e / epochs);
            }
        } else {
            epochs = s.epochs();
            int perEpoch = train.stream().mapToInt(l -> (l.size() + s.batchPerTask() - 1) / s.batchPerTask()).max().orElse(1);
            epochSteps = new int[epochs];
            java.util.Arrays.fill(epochSteps, perEpoch);
        }
        int totalSteps = java.util.Arrays.stream(epochSteps).sum();
        float[] lossWeights = new float[n];
        for (int t = 0; t < n; t++) {
            TaskSpec task = tasks.get(t);
            boolean balance = s.balanceTaskLosses() && task.kind() == TaskSpec.Kind.CLASSIFICATION;
            lossWeights[t] = (float) (task.weight() / (balance ? Math.log(task.classes().size()) : 1));
        }
        long t0 = System.nanoTime();
        List<Epoch> history = new ArrayList<>();
        try (Model model = Model.newInstance("mtl-nic", Device.cpu(), "PyTorch")) {
            MtlNetwork net = new MtlNetwork(s.architecture(), tasks.stream().map(TaskSpec::outputs).toList());
            model.setBlock(net);
            WarmStart warm = s.init() != null && s.warmStart() != null ? s.warmStart() : null;
            int headOnly = warm == null ? 0 : Math.min(warm.headOnlySteps(), totalSteps);
            Tracker lr = Tracker.cosine().setBaseValue(s.learningRate()).optFinalValue(s.learningRate() / 100)
                    .setMaxUpdates(Math.max(1, totalSteps - headOnly)).build();
            Tracker headLr = Tracker.cosine().setBaseValue(s.headLearningRate()).optFinalValue(s.headLearningRate() / 100)
                    .setMaxUpdates(Math.max(1, totalSteps)).build();
            Set<String> headParameters = new java.util.HashSet<>();
            net.headBlocks().forEach(h -> h.getParameters().values().forEach(p -> headParameters.add(p.getId())));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(new TwoRateOptimizer(Optimizer.adam().optLearningRateTracker(headLr).build(),
                            Optimizer.adam().optLearningRateTracker(lr).build(), headParameters))
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 3, Augmenter.OUT, Augmenter.OUT));
                if (s.init() != null) {
                    net.loadEncoderWeights(s.init());
                }
                Anchor anchor = warm != null && warm.anchor() > 0 ? Anchor.of(net) : null;
                Freezing freezing = warm == null ? null : new Freezing(net, warm, headOnly);
                if (freezing != null) {
                    freezing.apply(0);
                }
                Random shuffler = new Random(s.seed());
                SplittableRandom augmentRandom = new SplittableRandom(s.seed() + 1);
                Augmenter augmenter = s.augment() == null ? null : new Augmenter(s.augment());
                int[] cursor = new int[n];
                float[] x = new float[batch * 3 * Augmenter.OUT * Augmenter.OUT];
                int plane = 3 * Augmenter.OUT * Augmenter.OUT;
                int globalStep = 0;
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    int stepsPerEpoch = epochSteps[epoch - 1];
                    long e0 = System.nanoTime();
                    double[] lossSum = new double[n];
                    for (int step = 0; step < stepsPerEpoch; step++) {
                        PatchExample[] picked = new PatchExample[batch];
                        float[][] labels = new float[n][s.batchPerTask()];
                        for (int t = 0; t < n; t++) {
                            List<PatchExample> list = train.get(t);
                            for (int i = 0; i < s.batchPerTask(); i++) {
                                if (cursor[t] % list.size() == 0) {
                                    Collections.shuffle(list, shuffler);
                                }
                                PatchExample e = list.get(cursor[t]++ % list.size());
                                picked[t * s.batchPerTask() + i] = e;
                                labels[t][i] = e.label();
                            }
                        }
                        SplittableRandom[] randoms = new SplittableRandom[batch];
                        for (int i = 0; i < batch; i++) {
                            randoms[i] = augmentRandom.split();
                        }
                        IntStream.range(0, batch).parallel().forEach(i -> {
                            if (augmenter == null) {
                                Augmenter.centre(picked[i], x, i * plane);
                            } else {
                                augmenter.augment(picked[i], randoms[i], x, i * plane);
                            }
                        });
                        int[] slices = new int[n];
                        java.util.Arrays.fill(slices, s.batchPerTask());
                        net.setTaskSlices(slices);
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray input = m.create(x, new Shape(batch, 3, Augmenter.OUT, Augmenter.OUT));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDList out = trainer.forward(new NDList(input));
                                NDArray total = null;
                                for (int t = 0; t < n; t++) {
                                    NDArray lossT = loss(tasks.get(t), out.get(t + 1), m.create(labels[t]));
                                    lossSum[t] += lossT.getFloat();
                                    NDArray weighted = lossT.mul(lossWeights[t]);
                                    total = total == null ? weighted : total.add(weighted);
                                }
                                gc.backward(total);
                            }
                            trainer.step();
                        }
                        globalStep++;
                        if (anchor != null && globalStep > headOnly) {
                            anchor.pull(lr.getNewValue(globalStep - headOnly) * warm.anchor());
                        }
                        if (freezing != null) {
                            freezing.apply(globalStep);
                        }
                        if (progress != null) {
                            progress(progress, tasks, epoch, epochs, step + 1, stepsPerEpoch, lossSum, batch, t0,
                                    globalStep, totalSteps);
                        }
                    }
                    double rate = (double) stepsPerEpoch * batch / ((System.nanoTime() - e0) / 1e9);
                    List<TaskFigures> figures = new ArrayList<>();
                    for (int t = 0; t < n; t++) {
                        double[] val = validate(net, trainer.getManager(), tasks.get(t), t, validation.get(t));
                        figures.add(new TaskFigures(tasks.get(t).name(), lossSum[t] / stepsPerEpoch, val[0], val[1],
                                train.get(t).size(), validation.get(t).size()));
                    }
                    history.add(new Epoch(epoch, figures, rate));
                    if (progress != null) {
                        StringBuilder line = new StringBuilder(String.format("%nepoch %d/%d:", epoch, epochs));
                        for (TaskFigures f : figures) {
                            line.append(String.format(" | %s train loss %.4f, validation loss %.4f, accuracy %.3f (n=%d)",
                                    f.task(), f.trainLoss(), f.validationLoss(), f.validationAccuracy(), f.validationCount()));
                        }
                        progress.println(line.append(String.format(" | %.0f patches/s", rate)));
                    }
                }
                return new Result(net.encoderWeights(), history, (System.nanoTime() - t0) / 1_000_000_000L);
            }
        }
    }

    /** Which parts of the encoder are frozen at a step of a warm start; changes them only when that changes. */
    private static final class Freezing {
        private final MtlNetwork net;
        private final WarmStart warm;
        private final int headOnly;
        private int frozen = -1; // leading conv blocks frozen now; depth + 1 = the whole encoder

        Freezing(MtlNetwork net, WarmStart warm, int headOnly) {
            this.net = net;
            this.warm = warm;
            this.headOnly = headOnly;
        }

        /** Freezing for the step that comes after {@code done} steps. */
        void apply(int done) {
            int depth = net.architecture().depth();
            int wanted = done < headOnly ? depth + 1 : done < warm.frozenSteps() ? warm.frozenBlocks() : 0;
            if (wanted != frozen) {
                net.freezeEncoder(false);
                if (wanted > depth) {
                    net.freezeEncoder(true);
                } else if (wanted > 0) {
                    net.freezeLeadingBlocks(wanted, true);
                }
                frozen = wanted;
            }
        }
    }

    /** The starting weights of the encoder's trainable parameters, and the pull back towards them. */
    private record Anchor(List<ai.djl.nn.Parameter> parameters, List<NDArray> start) {

        static Anchor of(MtlNetwork net) {
            List<ai.djl.nn.Parameter> parameters = new ArrayList<>();
            List<NDArray> start = new ArrayList<>();
            for (var p : net.encoderBlock().getParameters()) {
                ai.djl.nn.Parameter parameter = p.getValue();
                if (parameter.requiresGradient()) {
                    parameters.add(parameter);
                    NDArray copy = parameter.getArray().duplicate();
                    copy.detach();
                    start.add(copy);
                }
            }
            return new Anchor(parameters, start);
        }

        /** w -= rate * (w - w0), outside the gradient graph. */
        void pull(float rate) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).getArray();
                try (NDArray step = w.sub(start.get(i)).muli(rate)) {
                    w.subi(step);
                }
            }
        }
    }

    static NDArray loss(TaskSpec task, NDArray output, NDArray labels) {
        if (task.kind() == TaskSpec.Kind.REGRESSION) {
            return output.reshape(-1).sub(labels).square().mean();
        }
        NDArray logProbabilities = output.logSoftmax(1);
        NDArray oneHot = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).oneHot(task.classes().size());
        return logProbabilities.mul(oneHot).sum(new int[] {1}).mean().neg();
    }

    /** Validation loss and accuracy (for regression: loss and 0), in inference mode, centre crops. */
    static double[] validate(MtlNetwork net, NDManager parent, TaskSpec task, int t, List<PatchExample> examples) {
        if (examples.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double lossTotal = 0;
        int correct = 0;
        int chunk = 64;
        int plane = 3 * Augmenter.OUT * Augmenter.OUT;
        for (int start = 0; start < examples.size(); start += chunk) {
            int size = Math.min(chunk, examples.size() - start);
            float[] x = new float[size * plane];
            float[] y = new float[size];
            for (int i = 0; i < size; i++) {
                Augmenter.centre(examples.get(start + i), x, i * plane);
                y[i] = examples.get(start + i).label();
            }
            try (NDManager m = parent.newSubManager()) {
                NDArray out = net.predict(new ParameterStore(m, false), m.create(x, new Shape(size, 3, Augmenter.OUT, Augmenter.OUT)), t);
                lossTotal += loss(task, out, m.create(y)).getFloat() * size;
                if (task.kind() == TaskSpec.Kind.CLASSIFICATION) {
                    long[] predicted = out.argMax(1).toLongArray();
                    for (int i = 0; i < size; i++) {
                        correct += predicted[i] == (long) y[i] ? 1 : 0;
                    }
                }
            }
        }
        return new double[] {lossTotal / examples.size(), (double) correct / examples.size()};
    }

    private static void progress(PrintStream out, List<TaskSpec> tasks, int epoch, int epochs, int step, int steps,
                                 double[] lossSum, int batch, long t0, int done, int total) {
        if (step % 5 != 0 && step != steps) {
            return;
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double rate = done * (double) batch / elapsed;
        long eta = (long) ((total - done) * batch / Math.max(rate, 1e-9));
        int width = 20;
        int filled = (int) ((double) step / steps * width);
        StringBuilder line = new StringBuilder(String.format("\repoch %d/%d [%s%s] %3d%%", epoch, epochs,
                "#".repeat(filled), "-".repeat(width - filled), step * 100 / steps));
        for (int t = 0; t < tasks.size(); t++) {
            line.append(String.format(" %s %.3f", tasks.get(t).name(), lossSum[t] / step));
        }
        line.append(String.format(" | %.0f patches/s | ETA %dm%02ds   ", rate, eta / 60, eta % 60));
        out.print(line);
        out.flush();
    }
}
