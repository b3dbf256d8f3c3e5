package org.nic.training.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.nic.stats.KMeans;

/**
 * The paper's slide-level CNN on a grid crop (N x C x S x S), in two branches that meet before the dense
 * layers:
 * <ul>
 *   <li><b>arrangement</b>: 8 depthwise-separable 3x3 convolutions (depthwise 3x3 then pointwise 1x1 to 128
 *       filters), each followed by batch norm, LeakyReLU(0.2) and 20% dropout, stride 2 except the last
 *       two, then global average pooling (so any crop size works, where the paper flattened a fixed
 *       400-cell crop);</li>
 *   <li><b>composition</b>: each tissue cell softly assigned to 16 cell types (1x1 convolution, softmax
 *       over the types) and the assignments averaged over the tissue cells only (a cell is tissue when its
 *       code is not all zero): the share of the tissue of each type, "how much of the tissue is X", which a
 *       stack of strided convolutions must otherwise learn to count while glass dilutes it, and which a mean
 *       code blurs with every other type's share. The types start as k-means clusters of the training
 *       slides' tissue codes ({@link #initialiseTypes}) and are refined by training;</li>
 * </ul>
 * then dense 128 with LeakyReLU, and the output layer on the dense features, the composition again and the
 * slide's mean tissue code, standardised by the training slides' (per channel: minus their mean, over their
 * spread; 50% dropout on it while training): one value (regression, survival log-risk) or one per class (logits; the ONNX export appends sigmoid
 * or softmax). These direct paths let a linear read-out of "how much of X" be learnt as such, where it
 * otherwise passes a dense layer that also carries the arrangement features with their dropout; slides'
 * mean codes differ by little against the codes' size, hence the standardisation (docs/heads.md).
 */
public final class GigapixelHead extends AbstractBlock {

    public static final int LAYERS = 8;
    public static final int FILTERS = 128;
    public static final float LEAK = 0.2f;
    public static final float DROPOUT = 0.2f;
    public static final float BN_EPSILON = 1e-3f;

    /** Blocks per separable layer: depthwise, pointwise, batch norm, LeakyReLU, dropout. */
    static final int BLOCKS_PER_LAYER = 5;

    private final SequentialBlock cnn;
    /** Cell types of the composition branch. */
    public static final int FRACTIONS = 16;

    private final Conv2d fractions;
    private final Linear dense;
    private final Block codeDropout;
    private final Linear output;
    /** The training slides' mean tissue code, per channel, and 1 / its spread across slides (set by initialiseTypes). */
    private float[] codeCentre;
    private float[] codeScale;

    /** Whether the output reads the standardised mean tissue code (else that input is held at zero). */
    private final boolean readsMeanCode;

    /** Whether the arrangement branch reads each crop's tissue codes standardised over that crop ({@link #slideNormalised}). */
    private final boolean slideNorm;

    /** Added to the centred codes' mean square over the crop's tissue before its square root. */
    public static final float SLIDE_NORM_EPSILON = 1e-4f;

    public GigapixelHead(int codeSize, int outputs) {
        this(codeSize, outputs, true, false);
    }

    public GigapixelHead(int codeSize, int outputs, boolean readsMeanCode) {
        this(codeSize, outputs, readsMeanCode, false);
    }

    public GigapixelHead(int codeSize, int outputs, boolean readsMeanCode, boolean slideNorm) {
        this.readsMeanCode = readsMeanCode;
        this.slideNorm = slideNorm;
        SequentialBlock block = new SequentialBlock();
        int channels = codeSize;
        for (int i = 0; i < LAYERS; i++) {
            int stride = stride(i);
            block.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(stride, stride))
                            .optPadding(new Shape(1, 1)).setFilters(channels).optGroups(channels).optBias(false).build())
                    .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(FILTERS).build())
                    .add(BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(0.9f).build())
                    .add(Activation.leakyReluBlock(LEAK))
                    .add(Dropout.builder().optRate(DROPOUT).build());
            channels = FILTERS;
        }
        block.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
        this.cnn = addChildBlock("cnn", block);
        this.fractions = addChildBlock("fractions", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(FRACTIONS).build());
        this.dense = addChildBlock("dense", Linear.builder().setUnits(FILTERS).build());
        this.codeDropout = addChildBlock("code_dropout", Dropout.builder().optRate(0.5f).build());
        this.output = addChildBlock("output", Linear.builder().setUnits(outputs).build());
    }

    public static GigapixelHead build(int codeSize, int outputs) {
        return new GigapixelHead(codeSize, outputs);
    }

    /**
     * Starts the cell types as k-means clusters (Lloyd, k-means++ seeding) of up to 20,000 tissue cells of the
     * training slides: the assignment logit of type k is {@code -|x - mu_k|^2 / t = (2 mu_k . x - |mu_k|^2) / t}
     * up to a term equal for all types, with t the mean squared distance of a cell to its nearest centre.
     * Call after initialisation, before training.
     */
    public void initialiseTypes(List<org.nic.grid.CompressedGrid> training, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<float[]> cells = new ArrayList<>();
        int total = training.stream().mapToInt(g -> g.tissueCells().size()).sum();
        double keep = Math.min(1, 20_000.0 / Math.max(1, total));
        for (org.nic.grid.CompressedGrid g : training) {
            for (int[] c : g.tissueCells()) {
                if (random.nextDouble() < keep) {
                    float[] v = new float[g.channels()];
                    for (int ch = 0; ch < v.length; ch++) {
                        v[ch] = g.codes()[(ch * g.rows() + c[0]) * g.cols() + c[1]];
                    }
                    cells.add(v);
                }
            }
        }
        standardiseMeanCodes(training);
        if (cells.size() < FRACTIONS) {
            return; // too little tissue to cluster: keep the random start
        }
        float[][] centres = KMeans.cluster(cells, FRACTIONS, 25, random);
        double spread = KMeans.meanNearestSquaredDistance(cells, centres);
        int c = centres[0].length;
        float[] weight = new float[FRACTIONS * c];
        float[] bias = new float[FRACTIONS];
        for (int k = 0; k < FRACTIONS; k++) {
            double norm = 0;
            for (int ch = 0; ch < c; ch++) {
                weight[k * c + ch] = (float) (2 * centres[k][ch] / spread);
                norm += (double) centres[k][ch] * centres[k][ch];
            }
            bias[k] = (float) (-norm / spread);
        }
        parameter(fractions, "weight").getArray().set(java.nio.FloatBuffer.wrap(weight));
        parameter(fractions, "bias").getArray().set(java.nio.FloatBuffer.wrap(bias));
    }

    /**
     * Slides differ in their mean tissue code by little against the codes' own size, so a read-out of it learns
     * slowly from raw values; it is read standardised by the training slides' per-channel mean and spread.
     */
    void standardiseMeanCodes(List<org.nic.grid.CompressedGrid> training) {
        int c = training.get(0).channels();
        double[] sum = new double[c];
        double[] sq = new double[c];
        int n = 0;
        for (org.nic.grid.CompressedGrid g : training) {
            double[] m = new double[c];
            List<int[]> cells = g.tissueCells();
            for (int[] cell : cells) {
                for (int ch = 0; ch < c; ch++) {
                    m[ch] += g.codes()[(ch * g.rows() + cell[0]) * g.cols() + cell[1]];
                }
            }
            for (int ch = 0; ch < c; ch++) {
                double v = m[ch] / Math.max(1, cells.size());
                sum[ch] += v;
                sq[ch] += v * v;
            }
            n++;
        }
        codeCentre = new float[c];
        codeScale = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double mean = sum[ch] / n;
            double sd = Math.sqrt(Math.max(0, sq[ch] / n - mean * mean));
            codeCentre[ch] = (float) mean;
            codeScale[ch] = readsMeanCode ? (float) (1 / Math.max(sd, 1e-4)) : 0f;
        }
    }

    /** The arrangement branch (separable convolutions, pooling). */
    public SequentialBlock arrangementBranch() {
        return cnn;
    }

    static int stride(int layer) {
        return layer < LAYERS - 2 ? 2 : 1;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray mask = x.abs().sum(new int[] {1}, true).gt(0f).toType(DataType.FLOAT32, false); // N x 1 x S x S
        NDArray arrangement = cnn.forward(ps, slideNorm ? new NDList(slideNormalised(x, mask)) : inputs, training).singletonOrThrow();
        NDArray cells = fractions.forward(ps, new NDList(x), training).singletonOrThrow().softmax(1);
        NDArray composition = cells.mul(mask).sum(new int[] {2, 3}).div(mask.sum(new int[] {2, 3}).maximum(1f));
        NDArray hidden = Activation.leakyRelu(dense.forward(ps, new NDList(arrangement.concat(composition, 1)), training)
                .singletonOrThrow(), LEAK);
        NDArray count = mask.sum(new int[] {2, 3}).maximum(1f); // N x 1
        NDArray meanCode = x.mul(mask).sum(new int[] {2, 3}).div(count);
        if (codeCentre != null) {
            meanCode = meanCode.sub(x.getManager().create(codeCentre)).mul(x.getManager().create(codeScale));
        }
        meanCode = codeDropout.forward(ps, new NDList(meanCode), training).singletonOrThrow();
        return output.forward(ps, new NDList(hidden.concat(composition, 1).concat(meanCode, 1)), training);
    }

    /**
     * The crop's tissue codes minus their mean over the crop's tissue cells (per channel), over the root mean
     * square of what is left (one number per crop, so channels that hardly vary within a slide are not blown
     * up to the others' size); background stays zero. The arrangement branch then sees how each cell differs
     * from the rest of its own slide, not where the slide's codes lie: patients' and stains' codes differ by a
     * shift larger than the slides' own spread (docs/heads.md), and where tumour lies against stroma is a
     * property of the slide alone. Composition stays with the composition branch and the mean-code read-out,
     * which read raw codes.
     */
    static NDArray slideNormalised(NDArray x, NDArray mask) {
        NDArray count = mask.sum(new int[] {2, 3}, true).maximum(1f); // N x 1 x 1 x 1
        NDArray mean = x.mul(mask).sum(new int[] {2, 3}, true).div(count); // N x C x 1 x 1
        NDArray centred = x.sub(mean).mul(mask);
        long channels = x.getShape().get(1);
        NDArray rms = centred.square().sum(new int[] {1, 2, 3}, true).div(count.mul((float) channels))
                .add(SLIDE_NORM_EPSILON).sqrt();
        return centred.div(rms);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return output.getOutputShapes(new Shape[] {new Shape(inputShapes[0].get(0), FILTERS)});
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        cnn.initialize(manager, dataType, in);
        fractions.initialize(manager, dataType, in);
        dense.initialize(manager, dataType, new Shape(in.get(0), FILTERS + FRACTIONS));
        codeDropout.initialize(manager, dataType, new Shape(in.get(0), in.get(1)));
        output.initialize(manager, dataType, new Shape(in.get(0), FILTERS + FRACTIONS + in.get(1)));
    }

    /** The trained weights in inference form, for ONNX export. */
    public HeadWeights weights(int codeSize) {
        List<HeadWeights.SeparableLayer> layers = new ArrayList<>();
        List<Block> children = cnn.getChildren().values();
        int in = codeSize;
        for (int i = 0; i < LAYERS; i++) {
            Conv2d depth = (Conv2d) children.get(i * BLOCKS_PER_LAYER);
            Conv2d point = (Conv2d) children.get(i * BLOCKS_PER_LAYER + 1);
            BatchNorm bn = (BatchNorm) children.get(i * BLOCKS_PER_LAYER + 2);
            layers.add(new HeadWeights.SeparableLayer(in, stride(i), array(depth, "weight"), array(point, "weight"),
                    array(point, "bias"), array(bn, "gamma"), array(bn, "beta"), array(bn, "runningMean"),
                    array(bn, "runningVar")));
            in = FILTERS;
        }
        float[] centre = codeCentre != null ? codeCentre : new float[codeSize];
        float[] scale = codeScale;
        if (scale == null) {
            scale = new float[codeSize];
            java.util.Arrays.fill(scale, 1f);
        }
        return new HeadWeights(codeSize, layers, array(fractions, "weight"), array(fractions, "bias"), transpose(dense),
                array(dense, "bias"), centre, scale, transpose(output), array(output, "bias"),
                (int) parameter(output, "bias").getShape().get(0), slideNorm);
    }

    private static float[] transpose(Linear l) {
        float[] w = array(l, "weight"); // out x in
        long[] shape = parameter(l, "weight").getShape().getShape();
        int out = (int) shape[0];
        int in = (int) shape[1];
        float[] t = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = w[o * in + i];
            }
        }
        return t;
    }

    static Parameter parameter(Block block, String name) {
        return block.getParameters().stream().filter(p -> p.getKey().equals(name)).map(p -> p.getValue())
                .findFirst().orElseThrow(() -> new IllegalStateException(block + " has no parameter " + name));
    }

    static float[] array(Block block, String name) {
        return parameter(block, name).getArray().toFloatArray();
    }
}
