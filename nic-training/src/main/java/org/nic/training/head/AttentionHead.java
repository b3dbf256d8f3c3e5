package org.nic.training.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The simpler head for small cohorts: gated attention pooling over the tissue cells of a crop (Ilse et
 * al.). Each cell's code is embedded (1x1 convolution to 128, LeakyReLU); an attention weight per cell
 * comes from tanh and sigmoid gates (64 units each); background cells (all-zero codes) get no weight; the
 * weighted sum of embeddings feeds the output layer. Far fewer parameters than the gigapixel CNN.
 */
public final class AttentionHead extends AbstractBlock {

    public static final int EMBED = 128;
    public static final int GATE = 64;

    private final Conv2d embed;
    private final Conv2d gateV;
    private final Conv2d gateU;
    private final Conv2d score;
    private final Linear output;

    public AttentionHead(int outputs) {
        embed = addChildBlock("embed", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(EMBED).build());
        gateV = addChildBlock("gateV", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(GATE).build());
        gateU = addChildBlock("gateU", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(GATE).build());
        score = addChildBlock("score", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).build());
        output = addChildBlock("output", Linear.builder().setUnits(outputs).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long n = x.getShape().get(0);
        NDArray mask = x.abs().sum(new int[] {1}, true).gt(0f).toType(DataType.FLOAT32, false); // N x 1 x S x S
        NDArray h = Activation.leakyRelu(embed.forward(ps, new NDList(x), training).singletonOrThrow(), GigapixelHead.LEAK);
        NDArray g = gateV.forward(ps, new NDList(h), training).singletonOrThrow().tanh()
                .mul(Activation.sigmoid(gateU.forward(ps, new NDList(h), training).singletonOrThrow()));
        NDArray a = score.forward(ps, new NDList(g), training).singletonOrThrow();
        // Background cells: -1e9 before the softmax, so they get no weight.
        NDArray masked = a.mul(mask).add(mask.sub(1f).mul(1e9f));
        NDArray weights = masked.reshape(n, -1).softmax(1).reshape(a.getShape());
        NDArray pooled = h.mul(weights).sum(new int[] {2, 3});
        return output.forward(ps, new NDList(pooled), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return output.getOutputShapes(new Shape[] {new Shape(inputShapes[0].get(0), EMBED)});
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        embed.initialize(manager, dataType, in);
        Shape h = new Shape(in.get(0), EMBED, in.get(2), in.get(3));
        gateV.initialize(manager, dataType, h);
        gateU.initialize(manager, dataType, h);
        score.initialize(manager, dataType, new Shape(in.get(0), GATE, in.get(2), in.get(3)));
        output.initialize(manager, dataType, new Shape(in.get(0), EMBED));
    }

    /** Weights in inference form, for ONNX export. */
    public AttentionWeights weights(int codeSize) {
        return new AttentionWeights(codeSize, GigapixelHead.array(embed, "weight"), GigapixelHead.array(embed, "bias"),
                GigapixelHead.array(gateV, "weight"), GigapixelHead.array(gateV, "bias"),
                GigapixelHead.array(gateU, "weight"), GigapixelHead.array(gateU, "bias"),
                GigapixelHead.array(score, "weight"), GigapixelHead.array(score, "bias"),
                transposed(output), GigapixelHead.array(output, "bias"),
                (int) GigapixelHead.parameter(output, "bias").getShape().get(0));
    }

    private static float[] transposed(Linear l) {
        float[] w = GigapixelHead.array(l, "weight");
        int out = (int) GigapixelHead.parameter(l, "weight").getShape().get(0);
        int in = w.length / out;
        float[] t = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = w[o * in + i];
            }
        }
        return t;
    }
}
