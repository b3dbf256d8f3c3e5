package org.nic.training.head;

import static org.nic.training.model.OnnxGraph.floatAttr;
import static org.nic.training.model.OnnxGraph.floatInfo;
import static org.nic.training.model.OnnxGraph.intAttr;
import static org.nic.training.model.OnnxGraph.ints;
import static org.nic.training.model.OnnxGraph.node;
import static org.nic.training.model.OnnxGraph.tensor;

import ai.onnx.proto.OnnxMl.GraphProto;
import java.util.List;
import org.nic.training.model.OnnxGraph;

/**
 * Writes a gigapixel head as ONNX (opset 13): input {@code grid} float32 N x C x H x W (a crop of the
 * compressed grid, background cells 0), output {@code output} N x K: the value (regression), the log-risk
 * (survival), or class probabilities (sigmoid for one binary output, softmax for several classes).
 */
public final class OnnxHeadExporter {

    public static final String INPUT = "grid";
    public static final String OUTPUT = "output";

    /** What the last node does to the output layer's values. */
    public enum Activation { NONE, SIGMOID, SOFTMAX }

    private OnnxHeadExporter() {
    }

    public static byte[] toOnnx(HeadWeights w, Activation activation, String name) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        g.addInput(floatInfo(INPUT, "N", w.codeSize(), "H", "W"));
        String x = INPUT;
        int i = 0;
        for (HeadWeights.SeparableLayer l : w.layers()) {
            String p = "sep" + i++;
            int out = l.pointwiseBias().length;
            g.addInitializer(tensor(p + "_dw", l.depthwise(), l.in(), 1, 3, 3));
            g.addNode(node("Conv", p + "_depthwise", List.of(x, p + "_dw"), p + "_d", ints("kernel_shape", 3, 3),
                    ints("strides", l.stride(), l.stride()), ints("pads", 1, 1, 1, 1), intAttr("group", l.in())));
            g.addInitializer(tensor(p + "_pw", l.pointwise(), out, l.in(), 1, 1));
            g.addInitializer(tensor(p + "_pb", l.pointwiseBias(), out));
            g.addNode(node("Conv", p + "_pointwise", List.of(p + "_d", p + "_pw", p + "_pb"), p + "_p", ints("kernel_shape", 1, 1)));
            g.addInitializer(tensor(p + "_gamma", l.gamma(), out));
            g.addInitializer(tensor(p + "_beta", l.beta(), out));
            g.addInitializer(tensor(p + "_mean", l.mean(), out));
            g.addInitializer(tensor(p + "_var", l.variance(), out));
            g.addNode(node("BatchNormalization", p + "_bn", List.of(p + "_p", p + "_gamma", p + "_beta", p + "_mean", p + "_var"),
                    p + "_n", floatAttr("epsilon", GigapixelHead.BN_EPSILON)));
            g.addNode(node("LeakyRelu", p + "_act", List.of(p + "_n"), p + "_a", floatAttr("alpha", GigapixelHead.LEAK)));
            x = p + "_a";
        }
        g.addNode(node("GlobalAveragePool", "pool", List.of(x), "pooled"));
        g.addNode(node("Flatten", "flatten", List.of("pooled"), "flat", intAttr("axis", 1)));
        g.addInitializer(tensor("dense_w", w.dense(), GigapixelHead.FILTERS, GigapixelHead.FILTERS));
        g.addInitializer(tensor("dense_b", w.denseBias(), GigapixelHead.FILTERS));
        g.addNode(node("Gemm", "dense", List.of("flat", "dense_w", "dense_b"), "hidden"));
        g.addNode(node("LeakyRelu", "dense_act", List.of("hidden"), "hidden_a", floatAttr("alpha", GigapixelHead.LEAK)));
        g.addInitializer(tensor("out_w", w.output(), GigapixelHead.FILTERS, w.outputs()));
        g.addInitializer(tensor("out_b", w.outputBias(), w.outputs()));
        String last = activation == Activation.NONE ? OUTPUT : "logits";
        g.addNode(node("Gemm", "out", List.of("hidden_a", "out_w", "out_b"), last));
        if (activation == Activation.SIGMOID) {
            g.addNode(node("Sigmoid", "sigmoid", List.of(last), OUTPUT));
        } else if (activation == Activation.SOFTMAX) {
            g.addNode(node("Softmax", "softmax", List.of(last), OUTPUT, intAttr("axis", 1)));
        }
        g.addOutput(floatInfo(OUTPUT, "N", w.outputs()));
        return OnnxGraph.model(g, name + ": NIC slide head; input grid N x C x H x W float (compressed grid crop, background 0)");
    }
}
