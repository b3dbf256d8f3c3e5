package org.nic.training.head;

import ai.djl.ndarray.types.Shape;
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
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's slide-level CNN on a grid crop (N x C x S x S): 8 depthwise-separable 3x3 convolutions
 * (depthwise 3x3 then pointwise 1x1 to 128 filters), each followed by batch norm, LeakyReLU(0.2) and 20%
 * dropout, stride 2 except the last two; then global average pooling (so any crop size works, where the
 * paper flattened a fixed 400-cell crop), dense 128 with LeakyReLU, and the output layer: one value
 * (regression, survival log-risk) or one per class (logits; the ONNX export appends sigmoid or softmax).
 */
public final class GigapixelHead {

    public static final int LAYERS = 8;
    public static final int FILTERS = 128;
    public static final float LEAK = 0.2f;
    public static final float DROPOUT = 0.2f;
    public static final float BN_EPSILON = 1e-3f;

    private GigapixelHead() {
    }

    /** Blocks per separable layer: depthwise, pointwise, batch norm, LeakyReLU, dropout. */
    static final int BLOCKS_PER_LAYER = 5;

    public static SequentialBlock build(int codeSize, int outputs) {
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
        block.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(FILTERS).build())
                .add(Activation.leakyReluBlock(LEAK))
                .add(Linear.builder().setUnits(outputs).build());
        return block;
    }

    static int stride(int layer) {
        return layer < LAYERS - 2 ? 2 : 1;
    }

    /** The trained weights in inference form, for ONNX export. */
    public static HeadWeights weights(SequentialBlock block, int codeSize) {
        List<HeadWeights.SeparableLayer> layers = new ArrayList<>();
        List<Block> children = block.getChildren().values();
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
        List<Linear> dense = new ArrayList<>();
        for (Block b : children) {
            if (b instanceof Linear l) {
                dense.add(l);
            }
        }
        return new HeadWeights(codeSize, layers, transpose(dense.get(0)), array(dense.get(0), "bias"),
                transpose(dense.get(1)), array(dense.get(1), "bias"), (int) parameter(dense.get(1), "bias").getShape().get(0));
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
