package org.nic.training.model;

import static org.nic.training.model.OnnxGraph.floatAttr;
import static org.nic.training.model.OnnxGraph.floatInfo;
import static org.nic.training.model.OnnxGraph.intAttr;
import static org.nic.training.model.OnnxGraph.ints;
import static org.nic.training.model.OnnxGraph.node;
import static org.nic.training.model.OnnxGraph.tensor;

import ai.onnx.proto.OnnxMl.GraphProto;
import java.util.List;

/**
 * Writes an encoder as an ONNX model (opset 13). Contract of every NIC encoder:
 * input {@code patches}: float32 N x 3 x 128 x 128, RGB scaled to [-1, 1] ({@code v / 127.5 - 1});
 * output {@code codes}: float32 N x C. Batch norm is emitted as BatchNormalization, not folded, so the
 * graph mirrors the trained network layer by layer.
 */
public final class OnnxEncoderExporter {

    public static final String INPUT = "patches";
    public static final String OUTPUT = "codes";
    public static final int PATCH_SIZE = 128;

    private OnnxEncoderExporter() {
    }

    public static byte[] toOnnx(EncoderWeights weights, String modelName) {
        GraphProto.Builder graph = GraphProto.newBuilder().setName(modelName);
        graph.addInput(floatInfo(INPUT, "N", 3, PATCH_SIZE, PATCH_SIZE));
        String doc = modelName + ": NIC patch encoder; input patches N x 3 x 128 x 128 float RGB in [-1, 1]; output codes N x C";
        String x = INPUT;
        if (EncoderWeights.MEAN_RGB.equals(weights.kind())) {
            graph.addNode(node("GlobalAveragePool", "gap", List.of(x), "gap_out"));
            graph.addNode(node("Flatten", "flatten", List.of("gap_out"), OUTPUT, intAttr("axis", 1)));
            graph.addOutput(floatInfo(OUTPUT, "N", 3));
            return OnnxGraph.model(graph, doc);
        }
        if (weights.inputPool() > 1) {
            int k = weights.inputPool();
            graph.addNode(node("AveragePool", "input_pool", List.of(x), "pooled", ints("kernel_shape", k, k), ints("strides", k, k)));
            x = "pooled";
        }
        int i = 0;
        for (EncoderWeights.ConvLayer c : weights.convs()) {
            String p = "conv" + i++;
            graph.addInitializer(tensor(p + "_w", c.kernel(), c.outChannels(), c.inChannels(), 3, 3));
            graph.addInitializer(tensor(p + "_b", c.bias(), c.outChannels()));
            graph.addNode(node("Conv", p, List.of(x, p + "_w", p + "_b"), p + "_out", ints("kernel_shape", 3, 3),
                    ints("strides", 2, 2)));
            graph.addNode(node("LeakyRelu", p + "_act", List.of(p + "_out"), p + "_act_out", floatAttr("alpha", weights.leak())));
            graph.addInitializer(tensor(p + "_gamma", c.gamma(), c.outChannels()));
            graph.addInitializer(tensor(p + "_beta", c.beta(), c.outChannels()));
            graph.addInitializer(tensor(p + "_mean", c.mean(), c.outChannels()));
            graph.addInitializer(tensor(p + "_var", c.variance(), c.outChannels()));
            graph.addNode(node("BatchNormalization", p + "_bn",
                    List.of(p + "_act_out", p + "_gamma", p + "_beta", p + "_mean", p + "_var"), p + "_bn_out",
                    floatAttr("epsilon", c.epsilon())));
            x = p + "_bn_out";
        }
        if (weights.flattenNhwc()) {
            graph.addNode(node("Transpose", "to_nhwc", List.of(x), "nhwc", ints("perm", 0, 2, 3, 1)));
            x = "nhwc";
        }
        graph.addNode(node("Flatten", "flatten", List.of(x), "flat", intAttr("axis", 1)));
        EncoderWeights.Dense d = weights.dense();
        graph.addInitializer(tensor("dense_w", d.weight(), d.in(), d.out()));
        graph.addInitializer(tensor("dense_b", d.bias(), d.out()));
        graph.addNode(node("Gemm", "dense", List.of("flat", "dense_w", "dense_b"), OUTPUT));
        graph.addOutput(floatInfo(OUTPUT, "N", d.out()));
        return OnnxGraph.model(graph, doc);
    }
}
