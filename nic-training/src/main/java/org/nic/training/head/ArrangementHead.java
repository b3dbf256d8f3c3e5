package org.nic.training.head;

import static org.nic.training.model.OnnxGraph.floatInfo;
import static org.nic.training.model.OnnxGraph.intAttr;
import static org.nic.training.model.OnnxGraph.ints;
import static org.nic.training.model.OnnxGraph.node;
import static org.nic.training.model.OnnxGraph.tensor;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nic.grid.CompressedGrid;
import org.nic.model.TaskKind;
import org.nic.stats.KMeans;
import org.nic.stats.SlideMetrics;
import org.nic.training.model.OnnxGraph;

/**
 * A slide head on spatial statistics of the codes, for the tens of slides a lab starts with: each tissue cell is
 * softly assigned to {@value #TYPES} cell types (k-means of the training slides' codes: found without labels, on the
 * cohort's own look), and the slide is described by how often each pair of types touches relative to chance: the
 * log ratio of observed to expected 4-neighbour joins, log((C_ab / P + e) / (p_a p_b + e)), which does not move with
 * composition as the raw shares of joins would (scattered types stay at 1 whatever their amounts; a compact mass's
 * self-join ratio still falls as it grows, roughly as its cohesion over its share). With {@code composition},
 * the types' shares p_a are features too. A ridge model on the standardised features (logistic, multinomial,
 * least squares or Cox, the ridge strength chosen by cross-validation on the training slides) gives the output.
 * <p>Why: a CNN on 40 slides learns whatever separates them most cheaply, and composition usually does; these
 * features hold arrangement and (optionally) composition apart, and a linear model on 36 of them is stable from run
 * to run. The whole computation is in the ONNX graph, so the predictor and the dashboard run it as any head.
 */
public final class ArrangementHead {

    /** Cell types. */
    public static final int TYPES = 8;
    /** Join-ratio features: one per unordered pair of types. */
    public static final int JOINS = TYPES * (TYPES + 1) / 2;
    static final float EPSILON = 1e-3f;
    static final double[] RIDGES = {0.003, 0.01, 0.03, 0.1, 0.3, 1, 3};
    static final int FOLDS = 5;

    /** The cell types: k-means centres, and the softmax temperature of the assignment. */
    public record Types(float[][] centres, float temperature) { }

    /** A fitted linear model on standardised features: weights features x outputs, bias per output. */
    record Linear(double[] mean, double[] sd, double[][] weights, double[] bias, double ridge) {

        /** The raw outputs (value, logits or log-risk) on a slide's features. */
        double[] apply(double[] x) {
            double[] out = bias.clone();
            for (int j = 0; j < mean.length; j++) {
                double z = (x[j] - mean[j]) / sd[j];
                for (int o = 0; o < out.length; o++) {
                    out[o] += z * weights[j][o];
                }
            }
            return out;
        }
    }

    private ArrangementHead() {
    }

    /** The cell types of the training slides' tissue codes (at most 20,000 cells, drawn with the seed). */
    public static Types types(List<CompressedGrid> grids, long seed) {
        Random random = new Random(seed);
        List<float[]> points = new ArrayList<>();
        long total = grids.stream().mapToLong(g -> g.tissueCells().size()).sum();
        double keep = Math.min(1, 20_000.0 / Math.max(1, total));
        for (CompressedGrid g : grids) {
            for (int[] cell : g.tissueCells()) {
                if (random.nextDouble() < keep) {
                    points.add(code(g, cell[0], cell[1]));
                }
            }
        }
        float[][] centres = KMeans.cluster(points, TYPES, 30, random);
        // The temperature: a quarter of the mean squared distance to the nearest centre, so that a cell's assignment
        // is nearly hard but changes smoothly between types.
        double sum = 0;
        for (float[] p : points) {
            sum += KMeans.distance(p, centres[KMeans.nearest(p, centres)]);
        }
        return new Types(centres, (float) Math.max(1e-6, sum / Math.max(1, points.size()) / 4));
    }

    /** The slide's features (join ratios, then the type shares when {@code composition}), as the ONNX graph computes them. */
    public static double[] features(CompressedGrid g, Types types, boolean composition) {
        int k = types.centres().length;
        int rows = g.rows();
        int cols = g.cols();
        float[][] a = new float[k][rows * cols];
        double n = 0;
        double[] logits = new double[k];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float[] x = code(g, r, c);
                double abs = 0;
                for (float v : x) {
                    abs += Math.abs(v);
                }
                if (abs == 0) {
                    continue;
                }
                n++;
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < k; t++) {
                    double dot = 0;
                    double cc = 0;
                    for (int ch = 0; ch < x.length; ch++) {
                        dot += types.centres()[t][ch] * x[ch];
                        cc += types.centres()[t][ch] * types.centres()[t][ch];
                    }
                    logits[t] = (2 * dot - cc) / types.temperature();
                    max = Math.max(max, logits[t]);
                }
                double z = 0;
                for (int t = 0; t < k; t++) {
                    logits[t] = Math.exp(logits[t] - max);
                    z += logits[t];
                }
                for (int t = 0; t < k; t++) {
                    a[t][r * cols + c] = (float) (logits[t] / z);
                }
            }
        }
        double[][] joins = new double[k][k];
        double pairs = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                int[][] next = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
                for (int ta = 0; ta < k; ta++) {
                    if (a[ta][i] == 0) {
                        continue;
                    }
                    for (int[] nb : next) {
                        if (nb[0] < 0 || nb[1] < 0 || nb[0] >= rows || nb[1] >= cols) {
                            continue;
                        }
                        int j = nb[0] * cols + nb[1];
                        for (int tb = 0; tb < k; tb++) {
                            joins[ta][tb] += a[ta][i] * a[tb][j];
                        }
                    }
                }
            }
        }
        for (double[] row : joins) {
            for (double v : row) {
                pairs += v;
            }
        }
        pairs = Math.max(pairs, 1);
        n = Math.max(n, 1);
        double[] share = new double[k];
        for (int t = 0; t < k; t++) {
            for (float v : a[t]) {
                share[t] += v;
            }
            share[t] /= n;
        }
        double[] out = new double[k * (k + 1) / 2 + (composition ? k : 0)];
        int f = 0;
        for (int ta = 0; ta < k; ta++) {
            for (int tb = ta; tb < k; tb++) {
                out[f++] = Math.log((joins[ta][tb] / pairs + EPSILON) / (share[ta] * share[tb] + EPSILON));
            }
        }
        if (composition) {
            for (int t = 0; t < k; t++) {
                out[f++] = share[t];
            }
        }
        return out;
    }

    /** One member of the head: its cell types and the ridge model on their features. */
    record Member(Types types, Linear model) { }

    /**
     * The seed of member {@code m} of an ensemble trained with {@code seed}: member 0 is the seed itself (a one-member
     * head is the single model), the others are spread by a 64-bit odd constant, so that the ensembles of neighbouring
     * trainer seeds (17, 18, ...) share no member.
     */
    static long memberSeed(long seed, int m) {
        return m == 0 ? seed : seed ^ (0x9E3779B97F4A7C15L * m);
    }

    /**
     * Trains the head: per member, types (k-means with the member's seed), features and a ridge model chosen by
     * cross-validation (folds drawn with the member's seed); exported as one ONNX graph whose output is the
     * members' raw outputs (value, logits or log-risk) averaged, then the task's activation.
     * <p>Why an ensemble: one k-means draw can split the codes into types a little differently from the next, and a
     * ridge model on 36 features of a noisy target (survival) follows the split: the live survival head's C-index
     * moved by 0.037 between trainer seeds on one cohort (docs/results-history.md). Averaging members whose types and
     * folds come from different draws takes that draw out of the head.
     */
    public static HeadTrainer.Result train(List<CompressedGrid> grids, List<HeadLabel> labels, HeadTrainer.Settings s,
                                           boolean composition) {
        return train(grids, labels, s, composition ? HeadTrainer.Type.ARRANGEMENT_COMPOSITION : HeadTrainer.Type.ARRANGEMENT);
    }

    /**
     * As {@link #train(List, List, HeadTrainer.Settings, boolean)}, for any of the three ridge heads: the join ratios
     * ({@code ARRANGEMENT}), with the types' shares ({@code ARRANGEMENT_COMPOSITION}), or both averaged
     * ({@code ARRANGEMENT_BLEND}: per member, on the same types, the joins-only model and the model with the shares,
     * each with its own cross-validated ridge strength, their raw outputs averaged; one linear model on the features
     * with the shares, so it exports as that head does).
     * <p>Why the blend: when the two ridge heads score alike on the training slides, choosing one of them is a coin
     * toss that the test patients then pay for (survival at 0.909 of the truth with the joins-only head on cohort
     * 2038, where the head with the shares scored 0.98; docs/results-history.md). Their average does not depend on
     * that toss.
     */
    public static HeadTrainer.Result train(List<CompressedGrid> grids, List<HeadLabel> labels, HeadTrainer.Settings s,
                                           HeadTrainer.Type type) {
        boolean composition = type != HeadTrainer.Type.ARRANGEMENT;
        boolean blend = type == HeadTrainer.Type.ARRANGEMENT_BLEND;
        if (!type.ridge()) {
            throw new IllegalArgumentException("not a ridge head: " + type);
        }
        int outputs = HeadTrainer.outputs(s.kind(), s.classes());
        List<Member> members = new ArrayList<>();
        List<Double> ridges = new ArrayList<>();
        for (int m = 0; m < s.members(); m++) {
            long seed = memberSeed(s.seed(), m);
            Types types = types(grids, seed);
            double[][] x = grids.stream().map(g -> features(g, types, composition)).toArray(double[][]::new);
            Linear model = fit(x, labels, s.kind(), Math.max(2, s.classes()), seed);
            if (blend) {
                double[][] joins = java.util.Arrays.stream(x).map(row -> java.util.Arrays.copyOf(row, JOINS))
                        .toArray(double[][]::new);
                Linear joinsOnly = fit(joins, labels, s.kind(), Math.max(2, s.classes()), seed);
                ridges.add(joinsOnly.ridge());
                model = average(joinsOnly, model);
            }
            members.add(new Member(types, model));
            ridges.add(model.ridge());
        }
        OnnxHeadExporter.Activation activation = HeadTrainer.activation(s.kind(), s.classes());
        byte[] onnx = toOnnx(members, composition, grids.get(0).channels(), outputs, activation,
                blend ? "nic-head-arrangement-blend" : composition ? "nic-head-arrangement-composition" : "nic-head-arrangement");
        int extent = grids.stream().mapToInt(g -> Math.max(g.rows(), g.cols())).max().orElse(1);
        return new HeadTrainer.Result(type, onnx, activation, Math.min(s.crop(), extent), List.copyOf(ridges), grids.size(),
                false);
    }

    /**
     * The average of a model on the first features and one on all of them (the same slides, so the same means and
     * spreads on the shared features): the first's weights padded with zeros, weights and biases halved and added.
     * Its output is the mean of the two outputs on any slide. Its ridge is the second's (the first's is reported apart).
     */
    static Linear average(Linear first, Linear all) {
        int d = all.mean().length;
        int outputs = all.bias().length;
        double[][] w = new double[d][outputs];
        for (int j = 0; j < d; j++) {
            for (int o = 0; o < outputs; o++) {
                w[j][o] = (all.weights()[j][o] + (j < first.mean().length ? first.weights()[j][o] : 0)) / 2;
            }
        }
        double[] b = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            b[o] = (all.bias()[o] + first.bias()[o]) / 2;
        }
        for (int j = 0; j < first.mean().length; j++) {
            if (Math.abs(first.mean()[j] - all.mean()[j]) > 1e-9 * (1 + Math.abs(all.mean()[j]))
                    || Math.abs(first.sd()[j] - all.sd()[j]) > 1e-9 * (1 + all.sd()[j])) {
                throw new IllegalArgumentException("the two models were not fitted on the same slides' features");
            }
        }
        return new Linear(all.mean(), all.sd(), w, b, all.ridge());
    }

    /** The ridge strength whose out-of-fold metric is best on the training slides, then the model on all of them. */
    static Linear fit(double[][] x, List<HeadLabel> labels, TaskKind kind, int classes, long seed) {
        int n = x.length;
        int[] fold = new int[n];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new Random(seed));
        for (int i = 0; i < n; i++) {
            fold[order.get(i)] = i % Math.min(FOLDS, n);
        }
        double bestRidge = RIDGES[RIDGES.length / 2];
        double best = Double.NEGATIVE_INFINITY;
        if (n >= 10) {
            for (double ridge : RIDGES) {
                double[][] predicted = new double[n][];
                for (int f = 0; f < Math.min(FOLDS, n); f++) {
                    List<Integer> in = new ArrayList<>();
                    List<Integer> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        (fold[i] == f ? out : in).add(i);
                    }
                    Linear m = fitOnce(rows(x, in), pick(labels, in), kind, classes, ridge);
                    for (int i : out) {
                        predicted[i] = m.apply(x[i]);
                    }
                }
                double metric = metric(kind, classes, predicted, labels);
                if (Double.isFinite(metric) && metric > best + 1e-9) {
                    best = metric;
                    bestRidge = ridge;
                }
            }
        }
        return fitOnce(x, labels, kind, classes, bestRidge);
    }

    static double metric(TaskKind kind, int classes, double[][] predicted, List<HeadLabel> labels) {
        int n = predicted.length;
        try {
            switch (kind) {
                case REGRESSION -> {
                    return SlideMetrics.spearman(column(predicted, 0), labels.stream().mapToDouble(HeadLabel::value).toArray());
                }
                case CLASSIFICATION -> {
                    int[] y = labels.stream().mapToInt(l -> (int) l.value()).toArray();
                    if (classes == 2) {
                        boolean[] positive = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            positive[i] = y[i] == 1;
                        }
                        return SlideMetrics.auc(column(predicted, 0), positive);
                    }
                    return SlideMetrics.macroAuc(predicted, y);
                }
                default -> {
                    boolean[] event = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        event[i] = labels.get(i).event();
                    }
                    return SlideMetrics.concordanceIndex(column(predicted, 0), labels.stream().mapToDouble(HeadLabel::time)
                            .toArray(), event);
                }
            }
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    /**
     * One ridge model on standardised features, by full-batch gradient descent from zero (deterministic): least squares
     * on the standardised target (its scale folded back), logistic or multinomial cross-entropy, or the Cox partial
     * likelihood (Breslow).
     */
    static Linear fitOnce(double[][] x, List<HeadLabel> labels, TaskKind kind, int classes, double ridge) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(sd[j]) > 1e-9 ? Math.sqrt(sd[j]) : 1;
        }
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mean[j]) / sd[j];
            }
        }
        int outputs = kind == TaskKind.CLASSIFICATION && classes > 2 ? classes : 1;
        double[][] w = new double[d][outputs];
        double[] b = new double[outputs];
        double yMean = 0;
        double ySd = 1;
        if (kind == TaskKind.REGRESSION) {
            yMean = labels.stream().mapToDouble(HeadLabel::value).average().orElse(0);
            double m = yMean;
            ySd = Math.sqrt(labels.stream().mapToDouble(l -> (l.value() - m) * (l.value() - m)).average().orElse(1));
            ySd = ySd > 1e-12 ? ySd : 1;
        }
        // A step that is safe for standardised features: the losses' curvature is at most d (least squares) or d/4.
        double step = 1.0 / (d + ridge);
        Integer[] byTime = null;
        if (kind == TaskKind.SURVIVAL) {
            byTime = new Integer[n];
            for (int i = 0; i < n; i++) {
                byTime[i] = i;
            }
            java.util.Arrays.sort(byTime, (p, q) -> Double.compare(labels.get(q).time(), labels.get(p).time()));
        }
        for (int it = 0; it < 3000; it++) {
            double[][] gw = new double[d][outputs];
            double[] gb = new double[outputs];
            double[][] residual = new double[n][outputs];
            if (kind == TaskKind.SURVIVAL) {
                // Cox partial likelihood: slides in descending time, so each one's risk set is everything before it.
                double[] r = new double[n];
                for (int i = 0; i < n; i++) {
                    r[i] = dot(z[i], w, 0);
                }
                double max = java.util.Arrays.stream(r).max().orElse(0);
                double risk = 0;
                double[] cumulative = new double[n];
                for (int k = 0; k < n; k++) {
                    risk += Math.exp(r[byTime[k]] - max);
                    cumulative[k] = risk;
                }
                double events = Math.max(1, labels.stream().filter(HeadLabel::event).count());
                // d/dr_j of -sum_events (r_i - log sum_{risk set of i} e^r) = -event_j + sum_{events i with j in risk set} e^{r_j} / S_i
                double tail = 0;
                for (int k = n - 1; k >= 0; k--) {
                    int i = byTime[k];
                    if (labels.get(i).event()) {
                        tail += 1 / cumulative[k];
                    }
                    residual[i][0] = (Math.exp(r[i] - max) * tail - (labels.get(i).event() ? 1 : 0)) / events;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (kind == TaskKind.REGRESSION) {
                        residual[i][0] = (dot(z[i], w, 0) + b[0] - (labels.get(i).value() - yMean) / ySd) / n;
                    } else if (outputs == 1) {
                        double p = 1 / (1 + Math.exp(-(dot(z[i], w, 0) + b[0])));
                        residual[i][0] = (p - (labels.get(i).value() == 1 ? 1 : 0)) / n;
                    } else {
                        double[] logit = new double[outputs];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int o = 0; o < outputs; o++) {
                            logit[o] = dot(z[i], w, o) + b[o];
                            max = Math.max(max, logit[o]);
                        }
                        double sum = 0;
                        for (int o = 0; o < outputs; o++) {
                            logit[o] = Math.exp(logit[o] - max);
                            sum += logit[o];
                        }
                        for (int o = 0; o < outputs; o++) {
                            residual[i][o] = (logit[o] / sum - ((int) labels.get(i).value() == o ? 1 : 0)) / n;
                        }
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < outputs; o++) {
                    for (int j = 0; j < d; j++) {
                        gw[j][o] += residual[i][o] * z[i][j];
                    }
                    gb[o] += residual[i][o];
                }
            }
            for (int j = 0; j < d; j++) {
                for (int o = 0; o < outputs; o++) {
                    w[j][o] -= step * (gw[j][o] + ridge * w[j][o]);
                }
            }
            if (kind != TaskKind.SURVIVAL) {
                for (int o = 0; o < outputs; o++) {
                    b[o] -= step * gb[o];
                }
            }
        }
        if (kind == TaskKind.REGRESSION) {
            for (int j = 0; j < d; j++) {
                w[j][0] *= ySd;
            }
            b[0] = b[0] * ySd + yMean;
        }
        return new Linear(mean, sd, w, b, ridge);
    }

    private static double dot(double[] z, double[][] w, int o) {
        double s = 0;
        for (int j = 0; j < z.length; j++) {
            s += z[j] * w[j][o];
        }
        return s;
    }

    private static double[] column(double[][] m, int c) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i][c];
        }
        return out;
    }

    private static double[][] rows(double[][] x, List<Integer> idx) {
        return idx.stream().map(i -> x[i]).toArray(double[][]::new);
    }

    private static List<HeadLabel> pick(List<HeadLabel> labels, List<Integer> idx) {
        return idx.stream().map(labels::get).toList();
    }

    /** A one-member head's graph ({@link #toOnnx(List, boolean, int, int, OnnxHeadExporter.Activation, String)}). */
    static byte[] toOnnx(Types types, boolean composition, int channels, Linear model, int outputs,
                         OnnxHeadExporter.Activation activation, String name) {
        return toOnnx(List.of(new Member(types, model)), composition, channels, outputs, activation, name);
    }

    /**
     * The ONNX graph: input grid N x C x H x W (background 0), output N x outputs, computing each member's
     * {@link #features} and linear model (the standardisation folded into its weights), the members' raw outputs
     * averaged, then the activation.
     */
    static byte[] toOnnx(List<Member> members, boolean composition, int channels, int outputs,
                         OnnxHeadExporter.Activation activation, String name) {
        int k = members.get(0).types().centres().length;
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        g.addInput(floatInfo(OnnxHeadExporter.INPUT, "N", channels, "H", "W"));
        String in = OnnxHeadExporter.INPUT;
        g.addInitializer(longs("channel_axis", 1));
        g.addInitializer(longs("spatial_axes", 2, 3));
        g.addInitializer(longs("pair_axes", 1, 2));
        g.addInitializer(tensor("zero", new float[] {0f}));
        g.addInitializer(tensor("one", new float[] {1f}));
        g.addInitializer(tensor("epsilon", new float[] {EPSILON}));
        g.addNode(node("Abs", "abs", List.of(in), "abs"));
        g.addNode(node("ReduceSum", "code_sum", List.of("abs", "channel_axis"), "code_sum", intAttr("keepdims", 1)));
        g.addNode(node("Greater", "is_tissue", List.of("code_sum", "zero"), "mask_bool"));
        g.addNode(node("Cast", "mask_float", List.of("mask_bool"), "mask", intAttr("to", 1)));
        g.addNode(node("ReduceSum", "tissue_count", List.of("mask", "spatial_axes"), "count0", intAttr("keepdims", 0)));
        g.addNode(node("Max", "tissue_count_floor", List.of("count0", "one"), "count"));
        // Each cell's neighbours' types: a 4-neighbour sum per type.
        float[] kernel = new float[k * 9];
        for (int t = 0; t < k; t++) {
            kernel[t * 9 + 1] = 1;
            kernel[t * 9 + 3] = 1;
            kernel[t * 9 + 5] = 1;
            kernel[t * 9 + 7] = 1;
        }
        g.addInitializer(tensor("neighbours_w", kernel, k, 1, 3, 3));
        g.addInitializer(longs("flat_shape", 0, k, -1));
        g.addInitializer(longs("axis_2", 2));
        g.addInitializer(longs("axis_1", 1));
        long[] upper = new long[k * (k + 1) / 2];
        int f = 0;
        for (int a = 0; a < k; a++) {
            for (int b = a; b < k; b++) {
                upper[f++] = (long) a * k + b;
            }
        }
        g.addInitializer(longs("upper", upper));
        boolean single = members.size() == 1;
        String last = activation == OnnxHeadExporter.Activation.NONE ? OnnxHeadExporter.OUTPUT : "logits";
        List<String> raws = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            String p = single ? "" : "m" + m + "_";
            String raw = single ? last : p + "raw";
            member(g, p, members.get(m), composition, channels, outputs, raw);
            raws.add(raw);
        }
        if (!single) {
            g.addInitializer(tensor("member_mean", new float[] {1f / members.size()}));
            g.addNode(node("Sum", "members_sum", raws, "members_sum"));
            g.addNode(node("Mul", "members_mean", List.of("members_sum", "member_mean"), last));
        }
        if (activation == OnnxHeadExporter.Activation.SIGMOID) {
            g.addNode(node("Sigmoid", "sigmoid", List.of(last), OnnxHeadExporter.OUTPUT));
        } else if (activation == OnnxHeadExporter.Activation.SOFTMAX) {
            g.addNode(node("Softmax", "softmax", List.of(last), OnnxHeadExporter.OUTPUT, intAttr("axis", 1)));
        }
        g.addOutput(floatInfo(OnnxHeadExporter.OUTPUT, "N", outputs));
        return OnnxGraph.model(g, name + ": NIC slide head on the join ratios of cell types (k-means of codes)"
                + (composition ? " and their shares" : "") + (single ? "" : ", " + members.size() + " members averaged")
                + "; input grid N x C x H x W float (background 0)");
    }

    /** One member's nodes, names prefixed with {@code p}, from the shared input and mask to its raw output {@code raw}. */
    private static void member(GraphProto.Builder g, String p, Member member, boolean composition, int channels, int outputs,
                               String raw) {
        Types types = member.types();
        Linear model = member.model();
        int k = types.centres().length;
        String in = OnnxHeadExporter.INPUT;
        // Soft assignment: softmax over types of (2 c.x - |c|^2) / T, the |x|^2 term being the same for every type.
        float[] w = new float[k * channels];
        float[] bias = new float[k];
        for (int t = 0; t < k; t++) {
            double cc = 0;
            for (int ch = 0; ch < channels; ch++) {
                w[t * channels + ch] = 2 * types.centres()[t][ch] / types.temperature();
                cc += types.centres()[t][ch] * types.centres()[t][ch];
            }
            bias[t] = (float) (-cc / types.temperature());
        }
        g.addInitializer(tensor(p + "types_w", w, k, channels, 1, 1));
        g.addInitializer(tensor(p + "types_b", bias, k));
        g.addNode(node("Conv", p + "type_logits", List.of(in, p + "types_w", p + "types_b"), p + "type_logits",
                ints("kernel_shape", 1, 1)));
        g.addNode(node("Softmax", p + "type_softmax", List.of(p + "type_logits"), p + "type_p", intAttr("axis", 1)));
        g.addNode(node("Mul", p + "tissue_types", List.of(p + "type_p", "mask"), p + "a"));
        g.addNode(node("Conv", p + "neighbours", List.of(p + "a", "neighbours_w"), p + "nb", ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1), intAttr("group", k)));
        g.addNode(node("Reshape", p + "a_flat", List.of(p + "a", "flat_shape"), p + "a_flat"));
        g.addNode(node("Reshape", p + "nb_flat", List.of(p + "nb", "flat_shape"), p + "nb_flat"));
        g.addNode(node("Transpose", p + "nb_t", List.of(p + "nb_flat"), p + "nb_t", ints("perm", 0, 2, 1)));
        g.addNode(node("MatMul", p + "joins", List.of(p + "a_flat", p + "nb_t"), p + "joins"));
        g.addNode(node("ReduceSum", p + "pairs0", List.of(p + "joins", "pair_axes"), p + "pairs0", intAttr("keepdims", 1)));
        g.addNode(node("Max", p + "pairs", List.of(p + "pairs0", "one"), p + "pairs"));
        g.addNode(node("Div", p + "join_share", List.of(p + "joins", p + "pairs"), p + "join_share"));
        g.addNode(node("ReduceSum", p + "type_total", List.of(p + "a", "spatial_axes"), p + "type_total", intAttr("keepdims", 0)));
        g.addNode(node("Div", p + "shares", List.of(p + "type_total", "count"), p + "shares"));
        g.addNode(node("Unsqueeze", p + "shares_col", List.of(p + "shares", "axis_2"), p + "shares_col"));
        g.addNode(node("Unsqueeze", p + "shares_row", List.of(p + "shares", "axis_1"), p + "shares_row"));
        g.addNode(node("Mul", p + "expected", List.of(p + "shares_col", p + "shares_row"), p + "expected"));
        g.addNode(node("Add", p + "observed_eps", List.of(p + "join_share", "epsilon"), p + "observed_eps"));
        g.addNode(node("Add", p + "expected_eps", List.of(p + "expected", "epsilon"), p + "expected_eps"));
        g.addNode(node("Div", p + "join_ratio", List.of(p + "observed_eps", p + "expected_eps"), p + "join_ratio"));
        g.addNode(node("Log", p + "log_ratio", List.of(p + "join_ratio"), p + "log_ratio"));
        g.addNode(node("Flatten", p + "ratio_flat", List.of(p + "log_ratio"), p + "ratio_flat", intAttr("axis", 1)));
        g.addNode(node("Gather", p + "pairs_upper", List.of(p + "ratio_flat", "upper"), p + "join_features", intAttr("axis", 1)));
        String features = p + "join_features";
        if (composition) {
            g.addNode(node("Concat", p + "features", List.of(p + "join_features", p + "shares"), p + "features", intAttr("axis", 1)));
            features = p + "features";
        }
        // The linear model with the standardisation folded in: w' = w / sd, b' = b - sum_j mean_j w_j / sd_j.
        int d = model.mean().length;
        float[] gw = new float[d * outputs];
        float[] gb = new float[outputs];
        for (int o = 0; o < outputs; o++) {
            double shift = 0;
            for (int j = 0; j < d; j++) {
                gw[j * outputs + o] = (float) (model.weights()[j][o] / model.sd()[j]);
                shift += model.mean()[j] * model.weights()[j][o] / model.sd()[j];
            }
            gb[o] = (float) (model.bias()[o] - shift);
        }
        g.addInitializer(tensor(p + "out_w", gw, d, outputs));
        g.addInitializer(tensor(p + "out_b", gb, outputs));
        g.addNode(node("Gemm", p + "out", List.of(features, p + "out_w", p + "out_b"), raw));
    }

    private static TensorProto longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    private static float[] code(CompressedGrid g, int row, int col) {
        float[] v = new float[g.channels()];
        for (int ch = 0; ch < v.length; ch++) {
            v[ch] = g.codes()[(ch * g.rows() + row) * g.cols() + col];
        }
        return v;
    }
}
