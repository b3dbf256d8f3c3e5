package org.nic.training.model;

import static org.nic.training.model.OnnxGraph.floatAttr;
import static org.nic.training.model.OnnxGraph.floatInfo;
import static org.nic.training.model.OnnxGraph.floatInfoAnyShape;
import static org.nic.training.model.OnnxGraph.int32Tensor;
import static org.nic.training.model.OnnxGraph.int8Tensor;
import static org.nic.training.model.OnnxGraph.intAttr;
import static org.nic.training.model.OnnxGraph.ints;
import static org.nic.training.model.OnnxGraph.node;
import static org.nic.training.model.OnnxGraph.tensor;
import static org.nic.training.model.OnnxGraph.uint8Tensor;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static INT8 quantisation of a NIC encoder, written in ONNX's QDQ format for ONNX Runtime's CPU provider.
 *
 * <ol>
 *   <li><b>Fold</b>: each block's batch norm (after its LeakyReLU) is {@code a x + s} per channel. Its magnitude
 *   {@code |a|} moves back into the block's own convolution rows and bias (LeakyReLU is positively homogeneous:
 *   {@code |a| LeakyReLU(z) = LeakyReLU(|a| z)}), where every output channel has its own int8 scale; its sign and
 *   shift go into the next convolution (valid padding, so the shift has no border effect) or, for the last block, the
 *   dense layer in the encoder's flatten order. Exact up to float rounding, and it leaves every channel of every
 *   quantised activation on the normalised scale the batch norm gave it. (Folding {@code a} forward instead scales
 *   the next layer's weights by input channel, which left few int8 steps to channels with a small {@code a}:
 *   mean cosine to the float codes 0.9970 against 0.9986.)</li>
 *   <li><b>Calibrate</b>: the folded float graph runs on calibration patches (one thread, so the ranges do not
 *   depend on the machine's thread count) and records each quantised activation's range: each convolution's output
 *   and each LeakyReLU's output; the input's range is the contract's [-1, 1]. The range kept is the seen one
 *   ({@link Calibration#MINMAX}): with two calibration tiles, shrinking it to least error on them
 *   ({@link Calibration#MSE}) clips what they do not hold (docs/encoder.md#int8 has both tables).</li>
 *   <li><b>Write</b>: weights int8, symmetric, one scale per output channel (axis 0 of a convolution's OIHW
 *   kernel, axis 1 of the dense layer's in x out matrix); activations uint8 with a zero point; biases int32
 *   at scale (input scale x weight scale). QuantizeLinear/DequantizeLinear pairs surround every Conv and the Gemm,
 *   which ONNX Runtime's graph optimiser fuses into its integer kernels (QLinearConv, QLinearLeakyRelu, QGemm).</li>
 * </ol>
 * The model keeps the encoder contract (float patches in, float codes out), so every service runs it as it runs
 * the float one.
 */
public final class EncoderQuantizer {

    /** Quantised activations: uint8 from 0 to 255. */
    static final int QMAX = 255;
    /**
     * Quantised weights: int8, symmetric, from -63 to 63 (7 bits). Why not 127: x86 CPUs without VNNI (AVX2, and
     * AVX-512 without VNNI) multiply uint8 activations by int8 weights in pairs summed into 16 bits, which saturate
     * above 32,767 (255 x 127 x 2 = 64,770; with 63, 32,130 fits). On an AVX2-only EPYC the 127 model's codes had a
     * median cosine of 0.945 to the float model's on CMU-1's tissue cells (0.9985 on the VNNI machine it was made on):
     * a site without VNNI would have encoded wrong codes without an error. VNNI (vpdpbusd) sums in 32 bits either way.
     */
    static final int WMAX = 63;

    /**
     * A convolution, then LeakyReLU, then, when its batch norm was not folded into the next layer, that batch norm as a
     * per-channel {@code x * normScale + normShift} (null when folded).
     */
    public record FoldedConv(int outChannels, int inChannels, float[] kernel, float[] bias, float[] normScale, float[] normShift) { }

    /** The encoder as it is quantised: pool, [conv, LeakyReLU (, float batch norm)] x depth, flatten, dense. */
    public record Folded(int inputPool, float leak, List<FoldedConv> convs, EncoderWeights.Dense dense, boolean flattenNhwc) {

        /** Names of the activations that get quantised, in graph order. */
        public List<String> activations() {
            List<String> names = new ArrayList<>();
            names.add(INPUT_ACTIVATION);
            for (int i = 0; i < convs.size(); i++) {
                names.add(convOut(i));
                names.add(actOut(i));
            }
            return names;
        }
    }

    /** An activation's calibrated range, always holding 0 so that zero is exact. */
    public record Range(float min, float max) {
        public Range {
            min = Math.min(min, 0f);
            max = Math.max(max, 0f);
        }

        public float scale() {
            float s = (max - min) / QMAX;
            return s > 0 ? s : 1f;
        }

        public int zeroPoint() {
            return Math.max(0, Math.min(QMAX, Math.round(-min / scale())));
        }
    }

    /** What quantising made: the QDQ model and the ranges it was calibrated to. */
    public record Quantised(byte[] onnx, Map<String, Range> ranges) { }

    static final String INPUT_ACTIVATION = "x0";

    private EncoderQuantizer() {
    }

    static String convOut(int i) {
        return "conv" + i + "_out";
    }

    static String actOut(int i) {
        return "conv" + i + "_act";
    }

    /**
     * Folds (or keeps the batch norms in float), calibrates on {@code count} patches (N x 3 x 128 x 128, in [-1, 1])
     * with {@code method} and writes the QDQ model.
     */
    public static Quantised quantise(EncoderWeights weights, float[] patches, int count, String modelName, Calibration method,
                                     boolean foldNorms) {
        Folded folded = fold(weights, foldNorms);
        Map<String, Range> ranges = calibrate(folded, patches, count, method);
        return new Quantised(qdqModel(folded, ranges, modelName), ranges);
    }

    /** Batch norms folded (see the class comment); exact up to float rounding. */
    public static Folded fold(EncoderWeights w) {
        return fold(w, true);
    }

    /**
     * With {@code foldNorms} false, every batch norm stays a per-channel multiply-add after its LeakyReLU (run in float
     * between the quantised convolutions): as accurate, and about a third slower.
     */
    public static Folded fold(EncoderWeights w, boolean foldNorms) {
        if (!EncoderWeights.CONVOLUTIONAL.equals(w.kind())) {
            throw new IllegalArgumentException("only convolutional encoders can be quantised, not " + w.kind());
        }
        if (!foldNorms) {
            List<FoldedConv> convs = new ArrayList<>();
            for (EncoderWeights.ConvLayer c : w.convs()) {
                double[][] a = affine(c);
                float[] scale = new float[c.outChannels()];
                float[] shift = new float[c.outChannels()];
                for (int ch = 0; ch < scale.length; ch++) {
                    scale[ch] = (float) a[0][ch];
                    shift[ch] = (float) a[1][ch];
                }
                convs.add(new FoldedConv(c.outChannels(), c.inChannels(), c.kernel(), c.bias(), scale, shift));
            }
            return new Folded(w.inputPool(), w.leak(), convs, w.dense(), w.flattenNhwc());
        }
        List<EncoderWeights.ConvLayer> convs = w.convs();
        List<FoldedConv> folded = new ArrayList<>();
        double[][] affine = null; // the previous block's norm, whose sign and shift this block takes
        for (EncoderWeights.ConvLayer c : convs) {
            float[] kernel = c.kernel().clone();
            float[] bias = c.bias().clone();
            if (affine != null) {
                int k = 9;
                for (int o = 0; o < c.outChannels(); o++) {
                    double shift = 0;
                    for (int ch = 0; ch < c.inChannels(); ch++) {
                        for (int j = 0; j < k; j++) {
                            int idx = (o * c.inChannels() + ch) * k + j;
                            shift += (double) c.kernel()[idx] * affine[1][ch];
                            kernel[idx] = (float) (c.kernel()[idx] * Math.signum(affine[0][ch]));
                        }
                    }
                    bias[o] = (float) (c.bias()[o] + shift);
                }
            }
            // This block's own norm scale |a| moves back into its rows (LeakyReLU(|a| z) = |a| LeakyReLU(z)), where each
            // output channel has its own int8 scale; only its sign and its shift go on to the next layer.
            double[][] own = affine(c);
            int per = c.kernel().length / c.outChannels();
            for (int o = 0; o < c.outChannels(); o++) {
                double m = Math.abs(own[0][o]);
                for (int j = 0; j < per; j++) {
                    kernel[o * per + j] = (float) (kernel[o * per + j] * m);
                }
                bias[o] = (float) (bias[o] * m);
            }
            folded.add(new FoldedConv(c.outChannels(), c.inChannels(), kernel, bias, null, null));
            affine = own;
        }
        EncoderWeights.ConvLayer last = convs.get(convs.size() - 1);
        EncoderWeights.Dense d = w.dense();
        int channels = last.outChannels();
        int spatial = d.in() / channels;
        if (spatial * channels != d.in()) {
            throw new IllegalArgumentException("dense input " + d.in() + " is not a multiple of " + channels + " channels");
        }
        float[] weight = d.weight().clone();
        float[] bias = d.bias().clone();
        double[] shift = new double[d.out()];
        for (int r = 0; r < d.in(); r++) {
            int ch = w.flattenNhwc() ? r % channels : r / spatial;
            for (int n = 0; n < d.out(); n++) {
                int idx = r * d.out() + n;
                shift[n] += (double) d.weight()[idx] * affine[1][ch];
                weight[idx] = (float) (d.weight()[idx] * Math.signum(affine[0][ch]));
            }
        }
        for (int n = 0; n < d.out(); n++) {
            bias[n] = (float) (d.bias()[n] + shift[n]);
        }
        return new Folded(w.inputPool(), w.leak(), folded, new EncoderWeights.Dense(d.in(), d.out(), weight, bias),
                w.flattenNhwc());
    }

    /** Batch norm as {scale, shift} per channel: {@code gamma (x - mean) / sqrt(var + eps) + beta}. */
    private static double[][] affine(EncoderWeights.ConvLayer c) {
        double[][] a = new double[2][c.outChannels()];
        for (int ch = 0; ch < c.outChannels(); ch++) {
            double scale = c.gamma()[ch] / Math.sqrt(c.variance()[ch] + (double) c.epsilon());
            a[0][ch] = scale;
            a[1][ch] = c.beta()[ch] - c.mean()[ch] * scale;
        }
        return a;
    }

    /** The folded float model; with {@code exposeActivations}, every quantised activation is also an output. */
    public static byte[] floatModel(Folded f, String name, boolean exposeActivations) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        g.addInput(floatInfo(OnnxEncoderExporter.INPUT, "N", 3, OnnxEncoderExporter.PATCH_SIZE, OnnxEncoderExporter.PATCH_SIZE));
        String x = pool(g, f);
        for (int i = 0; i < f.convs().size(); i++) {
            FoldedConv c = f.convs().get(i);
            String p = "conv" + i;
            g.addInitializer(tensor(p + "_w", c.kernel(), c.outChannels(), c.inChannels(), 3, 3));
            g.addInitializer(tensor(p + "_b", c.bias(), c.outChannels()));
            g.addNode(node("Conv", p, List.of(x, p + "_w", p + "_b"), convOut(i), ints("kernel_shape", 3, 3), ints("strides", 2, 2)));
            x = leakyNorm(g, c, p, convOut(i), actOut(i), f.leak());
        }
        String flat = flatten(g, f, x);
        EncoderWeights.Dense d = f.dense();
        g.addInitializer(tensor("dense_w", d.weight(), d.in(), d.out()));
        g.addInitializer(tensor("dense_b", d.bias(), d.out()));
        g.addNode(node("Gemm", "dense", List.of(flat, "dense_w", "dense_b"), OnnxEncoderExporter.OUTPUT));
        g.addOutput(floatInfo(OnnxEncoderExporter.OUTPUT, "N", d.out()));
        if (exposeActivations) {
            for (String a : f.activations()) {
                g.addOutput(floatInfoAnyShape(a));
            }
        }
        return OnnxGraph.model(g, name + ": NIC patch encoder as quantised, in float");
    }

    /** How an activation's range is chosen from what calibration saw. */
    public enum Calibration {
        /** The smallest and largest value seen. */
        MINMAX,
        /** The seen range shrunk by the factor (0.2 to 1) whose quantise-dequantise error is least on the seen values. */
        MSE
    }

    /** Values kept per activation to choose a range: a fixed stride through everything calibration sees. */
    static final int SAMPLES = 1 << 20;

    /** Each quantised activation's range over the calibration patches, chosen by {@code method}, run on one thread. */
    public static Map<String, Range> calibrate(Folded f, float[] patches, int count, Calibration method) {
        int plane = 3 * OnnxEncoderExporter.PATCH_SIZE * OnnxEncoderExporter.PATCH_SIZE;
        if (count < 1 || patches.length < (long) count * plane) {
            throw new IllegalArgumentException("calibration needs at least one patch");
        }
        List<String> names = f.activations();
        float[] min = new float[names.size()];
        float[] max = new float[names.size()];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        float[][] kept = new float[names.size()][];
        int[] keptCount = new int[names.size()];
        long[] stride = new long[names.size()];
        long[] seen = new long[names.size()];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(floatModel(f, "calibration", true), options)) {
                int chunk = 32;
                Set<String> wanted = new LinkedHashSet<>(names);
                for (int start = 0; start < count; start += chunk) {
                    int size = Math.min(chunk, count - start);
                    FloatBuffer batch = FloatBuffer.wrap(patches, start * plane, size * plane).slice();
                    try (OnnxTensor input = OnnxTensor.createTensor(env, batch, new long[] {size, 3, 128, 128});
                         OrtSession.Result result = session.run(Map.of(OnnxEncoderExporter.INPUT, input), wanted)) {
                        for (int a = 0; a < names.size(); a++) {
                            FloatBuffer values = ((OnnxTensor) result.get(names.get(a)).orElseThrow()).getFloatBuffer();
                            if (kept[a] == null) {
                                long total = (long) values.remaining() / size * count;
                                stride[a] = Math.max(1, (total + SAMPLES - 1) / SAMPLES);
                                kept[a] = new float[(int) Math.min(SAMPLES, total)];
                            }
                            while (values.hasRemaining()) {
                                float v = values.get();
                                min[a] = Math.min(min[a], v);
                                max[a] = Math.max(max[a], v);
                                if (seen[a]++ % stride[a] == 0 && keptCount[a] < kept[a].length) {
                                    kept[a][keptCount[a]++] = v;
                                }
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed while calibrating: " + e.getMessage(), e);
        }
        Map<String, Range> ranges = new LinkedHashMap<>();
        for (int a = 0; a < names.size(); a++) {
            if (names.get(a).equals(INPUT_ACTIVATION)) {
                // The input's range is the encoder contract's, whatever the calibration images hold: white background
                // (1.0) must not saturate because the calibration tiles are all tissue.
                ranges.put(INPUT_ACTIVATION, new Range(-1f, 1f));
                continue;
            }
            Range seenRange = new Range(min[a], max[a]);
            ranges.put(names.get(a), method == Calibration.MINMAX ? seenRange
                    : leastSquaredError(seenRange, kept[a], keptCount[a]));
        }
        return ranges;
    }

    /** The range {@code seen x k}, k from 1 down to 0.2 in steps of 0.01, that quantises the samples with least error. */
    static Range leastSquaredError(Range seen, float[] samples, int n) {
        Range best = seen;
        double bestError = Double.POSITIVE_INFINITY;
        for (int step = 100; step >= 20; step--) {
            Range r = new Range(seen.min() * step / 100f, seen.max() * step / 100f);
            float scale = r.scale();
            int zero = r.zeroPoint();
            double error = 0;
            for (int i = 0; i < n; i++) {
                float q = Math.max(0, Math.min(QMAX, Math.round(samples[i] / scale) + zero));
                double d = (q - zero) * scale - samples[i];
                error += d * d;
            }
            if (error < bestError) {
                bestError = error;
                best = r;
            }
        }
        return best;
    }

    /** The QDQ model: int8 per-channel weights, uint8 activations, int32 biases. */
    public static byte[] qdqModel(Folded f, Map<String, Range> ranges, String name) {
        for (String a : f.activations()) {
            if (!ranges.containsKey(a)) {
                throw new IllegalArgumentException("no calibrated range for " + a);
            }
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        g.addInput(floatInfo(OnnxEncoderExporter.INPUT, "N", 3, OnnxEncoderExporter.PATCH_SIZE, OnnxEncoderExporter.PATCH_SIZE));
        String x = qdq(g, pool(g, f), INPUT_ACTIVATION, ranges.get(INPUT_ACTIVATION));
        for (int i = 0; i < f.convs().size(); i++) {
            FoldedConv c = f.convs().get(i);
            String p = "conv" + i;
            float inScale = ranges.get(i == 0 ? INPUT_ACTIVATION : actOut(i - 1)).scale();
            float[] wScale = addWeights(g, p, c.kernel(), c.outChannels(), 0, c.outChannels(), c.inChannels(), 3, 3);
            addBias(g, p, c.bias(), inScale, wScale);
            g.addNode(node("Conv", p, List.of(x, p + "_w", p + "_b"), p + "_y", ints("kernel_shape", 3, 3), ints("strides", 2, 2)));
            String y = qdq(g, p + "_y", convOut(i), ranges.get(convOut(i)));
            String a = leakyNorm(g, c, p, y, p + "_a", f.leak());
            x = i == f.convs().size() - 1 ? a : qdq(g, a, actOut(i), ranges.get(actOut(i)));
        }
        int last = f.convs().size() - 1;
        String flat = qdq(g, flatten(g, f, x), actOut(last), ranges.get(actOut(last)));
        EncoderWeights.Dense d = f.dense();
        float[] wScale = addWeights(g, "dense", d.weight(), d.out(), 1, d.in(), d.out());
        addBias(g, "dense", d.bias(), ranges.get(actOut(last)).scale(), wScale);
        g.addNode(node("Gemm", "dense", List.of(flat, "dense_w", "dense_b"), OnnxEncoderExporter.OUTPUT));
        g.addOutput(floatInfo(OnnxEncoderExporter.OUTPUT, "N", d.out()));
        return OnnxGraph.model(g, name + ": NIC patch encoder, static INT8 (QDQ: int8 per-channel weights, uint8 activations);"
                + " input patches N x 3 x 128 x 128 float RGB in [-1, 1]; output codes N x C float");
    }

    /** LeakyReLU, then the unfolded batch norm as Mul and Add when there is one; returns {@code out}. */
    private static String leakyNorm(GraphProto.Builder g, FoldedConv c, String p, String in, String out, float leak) {
        if (c.normScale() == null) {
            g.addNode(node("LeakyRelu", p + "_leaky", List.of(in), out, floatAttr("alpha", leak)));
            return out;
        }
        g.addNode(node("LeakyRelu", p + "_leaky", List.of(in), p + "_leaky_out", floatAttr("alpha", leak)));
        g.addInitializer(tensor(p + "_ns", c.normScale(), c.outChannels(), 1, 1));
        g.addInitializer(tensor(p + "_nb", c.normShift(), c.outChannels(), 1, 1));
        g.addNode(node("Mul", p + "_nmul", List.of(p + "_leaky_out", p + "_ns"), p + "_nmul_out"));
        g.addNode(node("Add", p + "_nadd", List.of(p + "_nmul_out", p + "_nb"), out));
        return out;
    }

    private static String pool(GraphProto.Builder g, Folded f) {
        if (f.inputPool() > 1) {
            int k = f.inputPool();
            g.addNode(node("AveragePool", "input_pool", List.of(OnnxEncoderExporter.INPUT), INPUT_ACTIVATION,
                    ints("kernel_shape", k, k), ints("strides", k, k)));
        } else {
            g.addNode(node("Identity", "input", List.of(OnnxEncoderExporter.INPUT), INPUT_ACTIVATION));
        }
        return INPUT_ACTIVATION;
    }

    private static String flatten(GraphProto.Builder g, Folded f, String x) {
        if (f.flattenNhwc()) {
            g.addNode(node("Transpose", "to_nhwc", List.of(x), "nhwc", ints("perm", 0, 2, 3, 1)));
            x = "nhwc";
        }
        g.addNode(node("Flatten", "flatten", List.of(x), "flat", intAttr("axis", 1)));
        return "flat";
    }

    /** {@code x -> QuantizeLinear -> DequantizeLinear} at the range's scale and zero point; returns the DQ output. */
    private static String qdq(GraphProto.Builder g, String x, String name, Range r) {
        g.addInitializer(tensor(name + "_s", new float[] {r.scale()}));
        g.addInitializer(uint8Tensor(name + "_z", new byte[] {(byte) r.zeroPoint()}));
        g.addNode(node("QuantizeLinear", name + "_q", List.of(x, name + "_s", name + "_z"), name + "_q8"));
        g.addNode(node("DequantizeLinear", name + "_dq", List.of(name + "_q8", name + "_s", name + "_z"), name + "_dq"));
        return name + "_dq";
    }

    /**
     * Int8 weights with one symmetric scale per channel along {@code axis} (0: channel-major OIHW, 1: the columns of an
     * in x out matrix) and their DequantizeLinear to {@code p_w}; returns the scales.
     */
    private static float[] addWeights(GraphProto.Builder g, String p, float[] w, int channels, int axis, long... dims) {
        boolean channelMajor = axis == 0;
        int per = w.length / channels;
        float[] scale = channelScales(w, channels, per, channelMajor);
        g.addInitializer(int8Tensor(p + "_wq", quantiseWeights(w, scale, per, channelMajor), dims));
        g.addInitializer(tensor(p + "_ws", scale, channels));
        g.addInitializer(int8Tensor(p + "_wz", new byte[channels], channels));
        g.addNode(node("DequantizeLinear", p + "_w_dq", List.of(p + "_wq", p + "_ws", p + "_wz"), p + "_w", intAttr("axis", axis)));
        return scale;
    }

    private static void addBias(GraphProto.Builder g, String p, float[] bias, float inScale, float[] wScale) {
        int[] q = new int[bias.length];
        float[] scale = new float[bias.length];
        for (int o = 0; o < bias.length; o++) {
            scale[o] = inScale * wScale[o];
            q[o] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round((double) bias[o] / scale[o])));
        }
        g.addInitializer(int32Tensor(p + "_bq", q, bias.length));
        g.addInitializer(tensor(p + "_bs", scale, bias.length));
        g.addInitializer(int32Tensor(p + "_bz", new int[bias.length], bias.length));
        g.addNode(node("DequantizeLinear", p + "_b_dq", List.of(p + "_bq", p + "_bs", p + "_bz"), p + "_b", intAttr("axis", 0)));
    }

    /**
     * Symmetric scale per output channel: {@code max |w| / WMAX}. Rows-major {@code channelMajor} weights hold a
     * channel's {@code per} values together (OIHW); otherwise channels are the columns of an in x out matrix.
     */
    static float[] channelScales(float[] w, int channels, int per, boolean channelMajor) {
        float[] scale = new float[channels];
        for (int c = 0; c < channels; c++) {
            float m = 0;
            for (int j = 0; j < per; j++) {
                m = Math.max(m, Math.abs(w[channelMajor ? c * per + j : j * channels + c]));
            }
            scale[c] = m > 0 ? m / WMAX : 1f;
        }
        return scale;
    }

    static byte[] quantiseWeights(float[] w, float[] scale, int per, boolean channelMajor) {
        int channels = scale.length;
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            int c = channelMajor ? i / per : i % channels;
            q[i] = (byte) Math.max(-WMAX, Math.min(WMAX, Math.round(w[i] / scale[c])));
        }
        return q;
    }

    /**
     * Reads the weights of an encoder that {@link OnnxEncoderExporter} wrote (its node and initializer names),
     * so that a shipped {@code model.onnx} can be quantised without the training framework.
     */
    public static EncoderWeights fromOnnx(byte[] onnx) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        GraphProto g = model.getGraph();
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            init.put(t.getName(), t);
        }
        Map<String, NodeProto> nodes = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            nodes.put(n.getName(), n);
        }
        if (nodes.containsKey("gap") || !init.containsKey("conv0_w")) {
            throw new IllegalArgumentException("not a convolutional NIC encoder (no conv0_w): only those can be quantised");
        }
        int inputPool = nodes.containsKey("input_pool") ? (int) attribute(nodes.get("input_pool"), "kernel_shape").getInts(0) : 1;
        float leak = attribute(nodes.get("conv0_act"), "alpha").getF();
        List<EncoderWeights.ConvLayer> convs = new ArrayList<>();
        for (int i = 0; init.containsKey("conv" + i + "_w"); i++) {
            String p = "conv" + i;
            TensorProto w = init.get(p + "_w");
            float eps = attribute(nodes.get(p + "_bn"), "epsilon").getF();
            convs.add(new EncoderWeights.ConvLayer((int) w.getDims(0), (int) w.getDims(1), floats(w), floats(init.get(p + "_b")),
                    floats(init.get(p + "_gamma")), floats(init.get(p + "_beta")), floats(init.get(p + "_mean")),
                    floats(init.get(p + "_var")), eps));
        }
        TensorProto dw = init.get("dense_w");
        EncoderWeights.Dense dense = new EncoderWeights.Dense((int) dw.getDims(0), (int) dw.getDims(1), floats(dw),
                floats(init.get("dense_b")));
        return new EncoderWeights(EncoderWeights.CONVOLUTIONAL, inputPool, leak, convs, dense, nodes.containsKey("to_nhwc"));
    }

    private static OnnxMl.AttributeProto attribute(NodeProto n, String name) {
        if (n == null) {
            throw new IllegalArgumentException("not a NIC encoder graph: a node is missing");
        }
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(n.getName() + " has no attribute " + name));
    }

    private static float[] floats(TensorProto t) {
        if (t == null) {
            throw new IllegalArgumentException("not a NIC encoder graph: an initializer is missing");
        }
        if (!t.getRawData().isEmpty()) {
            FloatBuffer b = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }
}
