package org.nic.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One shared encoder and one small linear head per patch-level task (softmax logits for classification,
 * one value for regression). A batch holds consecutive slices, one per task ({@link #setTaskSlices}); the
 * encoder sees the whole mixed batch (so batch norm statistics mix tasks) and each head its own slice.
 * Output: the codes of the whole batch, then each task's head output for its slice.
 */
public final class MtlNetwork extends AbstractBlock {

    private final EncoderArchitecture architecture;
    private final SequentialBlock encoder;
    private final List<Block> heads = new ArrayList<>();
    private int[] slices;

    public MtlNetwork(EncoderArchitecture architecture, List<Integer> headOutputs) {
        this.architecture = architecture;
        this.encoder = addChildBlock("encoder", encoder(architecture));
        for (int i = 0; i < headOutputs.size(); i++) {
            heads.add(addChildBlock("head" + i, Linear.builder().setUnits(headOutputs.get(i)).build()));
        }
        this.slices = new int[headOutputs.size()];
    }

    static SequentialBlock encoder(EncoderArchitecture a) {
        SequentialBlock block = new SequentialBlock();
        if (a.inputPool() > 1) {
            block.add(Pool.avgPool2dBlock(new Shape(a.inputPool(), a.inputPool()), new Shape(a.inputPool(), a.inputPool())));
        }
        for (int i = 0; i < a.depth(); i++) {
            block.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2)).setFilters(a.filters()).build())
                    .add(Activation.leakyReluBlock(a.leak()))
                    .add(BatchNorm.builder().optEpsilon(a.batchNormEpsilon()).optMomentum(0.9f).build());
        }
        block.add(Blocks.batchFlattenBlock());
        block.add(Linear.builder().setUnits(a.codeSize()).build());
        return block;
    }

    public EncoderArchitecture architecture() {
        return architecture;
    }

    public SequentialBlock encoderBlock() {
        return encoder;
    }

    /**
     * Freezes (or unfreezes) the first {@code blocks} convolution blocks (convolution and its batch norm's
     * scale and shift). Batch-norm running statistics still follow the data while frozen.
     */
    public void freezeLeadingBlocks(int blocks, boolean frozen) {
        int seen = 0;
        for (Block b : encoder.getChildren().values()) {
            if (b instanceof Conv2d) {
                if (seen++ >= blocks) {
                    break;
                }
            }
            if (seen > 0 && (b instanceof Conv2d || b instanceof BatchNorm)) {
                // Only what the optimiser trains: running statistics must never require gradients.
                for (var p : b.getParameters()) {
                    if (java.util.Set.of("weight", "bias", "gamma", "beta").contains(p.getKey())) {
                        p.getValue().freeze(frozen);
                    }
                }
            }
        }
    }

    /** Freezes (or unfreezes) every trainable parameter of the encoder; its heads stay as they are. */
    public void freezeEncoder(boolean frozen) {
        for (Block b : encoder.getChildren().values()) {
            for (var p : b.getParameters()) {
                if (java.util.Set.of("weight", "bias", "gamma", "beta").contains(p.getKey())) {
                    p.getValue().freeze(frozen);
                }
            }
        }
    }

    /** The task heads. */
    public List<Block> headBlocks() {
        return List.copyOf(heads);
    }

    public int taskCount() {
        return heads.size();
    }

    /** Rows of the next batch per task, in task order. */
    public void setTaskSlices(int... rows) {
        if (rows.length != heads.size()) {
            throw new IllegalArgumentException("one slice per task expected");
        }
        this.slices = rows.clone();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray codes = encoder.forward(ps, inputs, training).singletonOrThrow();
        NDList out = new NDList(codes);
        int start = 0;
        for (int t = 0; t < heads.size(); t++) {
            int end = start + slices[t];
            if (slices[t] > 0) {
                NDArray slice = codes.get(new NDIndex(start + ":" + end));
                out.add(heads.get(t).forward(ps, new NDList(slice), training).singletonOrThrow());
            } else {
                out.add(codes.getManager().zeros(new Shape(0)));
            }
            start = end;
        }
        return out;
    }

    /** Codes of a batch in inference mode. */
    public NDArray encode(ParameterStore ps, NDArray patches) {
        return encoder.forward(ps, new NDList(patches), false).singletonOrThrow();
    }

    /** One task's head outputs in inference mode. */
    public NDArray predict(ParameterStore ps, NDArray patches, int task) {
        return heads.get(task).forward(ps, new NDList(encode(ps, patches)), false).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape code = encoder.getOutputShapes(inputShapes)[0];
        Shape[] out = new Shape[heads.size() + 1];
        out[0] = code;
        for (int t = 0; t < heads.size(); t++) {
            out[t + 1] = heads.get(t).getOutputShapes(new Shape[] {code})[0];
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        Shape code = encoder.getOutputShapes(inputShapes)[0];
        for (Block head : heads) {
            head.initialize(manager, dataType, code);
        }
    }

    /** The encoder's current weights, in inference form, for ONNX export. */
    public EncoderWeights encoderWeights() {
        List<EncoderWeights.ConvLayer> convs = new ArrayList<>();
        List<Block> blocks = encoder.getChildren().values();
        Conv2d conv = null;
        Linear dense = null;
        for (Block b : blocks) {
            if (b instanceof Conv2d c) {
                conv = c;
            } else if (b instanceof BatchNorm bn && conv != null) {
                float[] w = array(conv, "weight");
                int out = architecture.filters();
                convs.add(new EncoderWeights.ConvLayer(out, w.length / (out * 9), w, array(conv, "bias"),
                        array(bn, "gamma"), array(bn, "beta"), array(bn, "runningMean"), array(bn, "runningVar"),
                        architecture.batchNormEpsilon()));
                conv = null;
            } else if (b instanceof Linear l) {
                dense = l;
            }
        }
        float[] w = array(dense, "weight"); // out x in
        int out = architecture.codeSize();
        int in = w.length / out;
        float[] inOut = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                inOut[i * out + o] = w[o * in + i];
            }
        }
        return new EncoderWeights(EncoderWeights.CONVOLUTIONAL, architecture.inputPool(), architecture.leak(), convs,
                new EncoderWeights.Dense(in, out, inOut, array(dense, "bias")), false);
    }

    /**
     * Sets the encoder from imported weights (continued multitask training from a released encoder). Keras
     * (h, w, c) flatten order is permuted into this network's (c, h, w) order.
     */
    public void loadEncoderWeights(EncoderWeights weights) {
        if (!EncoderWeights.CONVOLUTIONAL.equals(weights.kind()) || weights.convs().size() != architecture.depth()
                || weights.codeSize() != architecture.codeSize()) {
            throw new IllegalArgumentException("weights do not fit architecture " + architecture);
        }
        int layer = 0;
        for (Block b : encoder.getChildren().values()) {
            if (b instanceof Conv2d c) {
                EncoderWeights.ConvLayer w = weights.convs().get(layer);
                set(c, "weight", w.kernel());
                set(c, "bias", w.bias());
            } else if (b instanceof BatchNorm bn) {
                EncoderWeights.ConvLayer w = weights.convs().get(layer++);
                set(bn, "gamma", w.gamma());
                set(bn, "beta", w.beta());
                set(bn, "runningMean", w.mean());
                set(bn, "runningVar", w.variance());
            } else if (b instanceof Linear l) {
                EncoderWeights.Dense d = weights.dense();
                int side = architecture.finalSide();
                int channels = architecture.filters();
                float[] outIn = new float[d.weight().length];
                for (int o = 0; o < d.out(); o++) {
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < side; y++) {
                            for (int x = 0; x < side; x++) {
                                int chw = (c * side + y) * side + x;
                                int hwc = (y * side + x) * channels + c;
                                int row = weights.flattenNhwc() ? hwc : chw;
                                outIn[o * d.in() + chw] = d.weight()[row * d.out() + o];
                            }
                        }
                    }
                }
                set(l, "weight", outIn);
                set(l, "bias", d.bias());
            }
        }
    }

    private static Parameter parameter(Block block, String name) {
        return block.getParameters().stream().filter(p -> p.getKey().equals(name)).map(p -> p.getValue())
                .findFirst().orElseThrow(() -> new IllegalStateException(block + " has no parameter " + name));
    }

    private static float[] array(Block block, String name) {
        return parameter(block, name).getArray().toFloatArray();
    }

    private static void set(Block block, String name, float[] values) {
        NDArray array = parameter(block, name).getArray();
        if (array.size() != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for " + array.getShape());
        }
        array.set(FloatBuffer.wrap(values));
    }
}
