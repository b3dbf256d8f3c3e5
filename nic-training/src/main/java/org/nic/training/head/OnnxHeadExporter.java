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

    /** The attention head: same input and output contract as the gigapixel head. */
    public static byte[] toOnnx(AttentionWeights w, Activation activation, String name) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        g.addInput(floatInfo(INPUT, "N", w.codeSize(), "H", "W"));
        int e = AttentionHead.EMBED;
        int k = AttentionHead.GATE;
        // Tissue mask: a cell is tissue when its code is not all zero.
        g.addInitializer(longs("channel_axis", 1));
        g.addNode(node("Abs", "abs", List.of(INPUT), "abs"));
        g.addNode(node("ReduceSum", "code_sum", List.of("abs", "channel_axis"), "code_sum", intAttr("keepdims", 1)));
        g.addInitializer(tensor("zero", new float[] {0f}));
        g.addNode(node("Greater", "is_tissue", List.of("code_sum", "zero"), "mask"));
        g.addInitializer(tensor("embed_w", w.embed(), e, w.codeSize(), 1, 1));
        g.addInitializer(tensor("embed_b", w.embedBias(), e));
        g.addNode(node("Conv", "embed", List.of(INPUT, "embed_w", "embed_b"), "h0", ints("kernel_shape", 1, 1)));
        g.addNode(node("LeakyRelu", "embed_act", List.of("h0"), "h", floatAttr("alpha", GigapixelHead.LEAK)));
        g.addInitializer(tensor("v_w", w.gateV(), k, e, 1, 1));
        g.addInitializer(tensor("v_b", w.gateVBias(), k));
        g.addNode(node("Conv", "gate_v", List.of("h", "v_w", "v_b"), "v0", ints("kernel_shape", 1, 1)));
        g.addNode(node("Tanh", "tanh", List.of("v0"), "v"));
        g.addInitializer(tensor("u_w", w.gateU(), k, e, 1, 1));
        g.addInitializer(tensor("u_b", w.gateUBias(), k));
        g.addNode(node("Conv", "gate_u", List.of("h", "u_w", "u_b"), "u0", ints("kernel_shape", 1, 1)));
        g.addNode(node("Sigmoid", "sigmoid_gate", List.of("u0"), "u"));
        g.addNode(node("Mul", "gated", List.of("v", "u"), "gated"));
        g.addInitializer(tensor("s_w", w.score(), 1, k, 1, 1));
        g.addInitializer(tensor("s_b", w.scoreBias(), 1));
        g.addNode(node("Conv", "score", List.of("gated", "s_w", "s_b"), "a", ints("kernel_shape", 1, 1)));
        g.addInitializer(tensor("background", new float[] {-1e9f}));
        g.addNode(node("Where", "mask_background", List.of("mask", "a", "background"), "a_masked"));
        g.addNode(node("Flatten", "flatten_a", List.of("a_masked"), "a_flat", intAttr("axis", 1)));
        g.addNode(node("Softmax", "attention", List.of("a_flat"), "p_flat", intAttr("axis", 1)));
        g.addNode(node("Shape", "a_shape", List.of("a"), "a_shape"));
        g.addNode(node("Reshape", "attention_map", List.of("p_flat", "a_shape"), "p"));
        g.addNode(node("Mul", "weighted", List.of("h", "p"), "hp"));
        g.addInitializer(longs("spatial_axes", 2, 3));
        g.addNode(node("ReduceSum", "pool", List.of("hp", "spatial_axes"), "z", intAttr("keepdims", 0)));
        g.addInitializer(tensor("out_w", w.output(), e, w.outputs()));
        g.addInitializer(tensor("out_b", w.outputBias(), w.outputs()));
        finish(g, "z", activation);
        g.addOutput(floatInfo(OUTPUT, "N", w.outputs()));
        return OnnxGraph.model(g, name + ": NIC slide head (gated attention); input grid N x C x H x W float (background 0)");
    }

    private static void finish(GraphProto.Builder g, String in, Activation activation) {
        String last = activation == Activation.NONE ? OUTPUT : "logits";
        g.addNode(node("Gemm", "out", List.of(in, "out_w", "out_b"), last));
        if (activation == Activation.SIGMOID) {
            g.addNode(node("Sigmoid", "sigmoid", List.of(last), OUTPUT));
        } else if (activation == Activation.SOFTMAX) {
            g.addNode(node("Softmax", "softmax", List.of(last), OUTPUT, intAttr("axis", 1)));
        }
    }

    private static ai.onnx.proto.OnnxMl.TensorProto longs(String name, long... values) {
        ai.onnx.proto.OnnxMl.TensorProto.Builder t = ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(ai.onnx.proto.OnnxMl.TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    public static byte[] toOnnx(HeadWeights w, Activation activation, String name) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        g.addInput(floatInfo(INPUT, "N", w.codeSize(), "H", "W"));
        // Tissue mask: a cell is tissue when its code is not all zero.
        g.addInitializer(longs("channel_axis", 1));
        g.addInitializer(longs("spatial_axes", 2, 3));
        g.addInitializer(tensor("zero", new float[] {0f}));
        g.addInitializer(tensor("one", new float[] {1f}));
        g.addNode(node("Abs", "abs", List.of(INPUT), "abs"));
        g.addNode(node("ReduceSum", "code_sum", List.of("abs", "channel_axis"), "code_sum", intAttr("keepdims", 1)));
        g.addNode(node("Greater", "is_tissue", List.of("code_sum", "zero"), "mask_bool"));
        g.addNode(node("Cast", "mask_float", List.of("mask_bool"), "mask", intAttr("to", 1)));
        String x = INPUT;
        if (w.slideNorm()) {
            // The arrangement branch reads the crop's tissue codes centred per channel, over their RMS (GigapixelHead.slideNormalised).
            g.addNode(node("ReduceSum", "norm_count0", List.of("mask", "spatial_axes"), "norm_count0", intAttr("keepdims", 1)));
            g.addNode(node("Max", "norm_count", List.of("norm_count0", "one"), "norm_count"));
            g.addNode(node("Mul", "norm_tissue", List.of(INPUT, "mask"), "norm_tissue"));
            g.addNode(node("ReduceSum", "norm_total", List.of("norm_tissue", "spatial_axes"), "norm_total", intAttr("keepdims", 1)));
            g.addNode(node("Div", "norm_mean", List.of("norm_total", "norm_count"), "norm_mean"));
            g.addNode(node("Sub", "norm_sub", List.of(INPUT, "norm_mean"), "norm_sub"));
            g.addNode(node("Mul", "norm_centred", List.of("norm_sub", "mask"), "norm_centred"));
            g.addNode(node("Mul", "norm_square", List.of("norm_centred", "norm_centred"), "norm_square"));
            g.addInitializer(longs("all_axes", 1, 2, 3));
            g.addNode(node("ReduceSum", "norm_ss", List.of("norm_square", "all_axes"), "norm_ss", intAttr("keepdims", 1)));
            g.addInitializer(tensor("norm_channels", new float[] {w.codeSize()}));
            g.addNode(node("Mul", "norm_values", List.of("norm_count", "norm_channels"), "norm_values"));
            g.addNode(node("Div", "norm_var", List.of("norm_ss", "norm_values"), "norm_var"));
            g.addInitializer(tensor("norm_epsilon", new float[] {GigapixelHead.SLIDE_NORM_EPSILON}));
            g.addNode(node("Add", "norm_var_eps", List.of("norm_var", "norm_epsilon"), "norm_var_eps"));
            g.addNode(node("Sqrt", "norm_sd", List.of("norm_var_eps"), "norm_sd"));
            g.addNode(node("Div", "slide_normalised", List.of("norm_centred", "norm_sd"), "slide_normalised"));
            x = "slide_normalised";
        }
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
        g.addNode(node("Flatten", "flatten", List.of("pooled"), "arrangement", intAttr("axis", 1)));
        // Composition branch: soft assignment of each cell to the cell types, averaged over tissue cells.
        g.addInitializer(tensor("fractions_w", w.fractions(), GigapixelHead.FRACTIONS, w.codeSize(), 1, 1));
        g.addInitializer(tensor("fractions_b", w.fractionsBias(), GigapixelHead.FRACTIONS));
        g.addNode(node("Conv", "cell_types", List.of(INPUT, "fractions_w", "fractions_b"), "cell_logits", ints("kernel_shape", 1, 1)));
        g.addNode(node("Softmax", "cell_types_softmax", List.of("cell_logits"), "cell_p", intAttr("axis", 1)));
        g.addNode(node("Mul", "tissue_cell_p", List.of("cell_p", "mask"), "tissue_p"));
        g.addNode(node("ReduceSum", "type_total", List.of("tissue_p", "spatial_axes"), "type_total", intAttr("keepdims", 0)));
        g.addNode(node("ReduceSum", "tissue_count", List.of("mask", "spatial_axes"), "count0", intAttr("keepdims", 0)));
        g.addNode(node("Max", "tissue_count_floor", List.of("count0", "one"), "count"));
        g.addNode(node("Div", "composition", List.of("type_total", "count"), "composition"));
        g.addNode(node("Concat", "features", List.of("arrangement", "composition"), "flat", intAttr("axis", 1)));
        g.addInitializer(tensor("dense_w", w.dense(), GigapixelHead.FILTERS + GigapixelHead.FRACTIONS, GigapixelHead.FILTERS));
        g.addInitializer(tensor("dense_b", w.denseBias(), GigapixelHead.FILTERS));
        g.addNode(node("Gemm", "dense", List.of("flat", "dense_w", "dense_b"), "hidden"));
        g.addNode(node("LeakyRelu", "dense_act", List.of("hidden"), "hidden_a", floatAttr("alpha", GigapixelHead.LEAK)));
        g.addNode(node("Mul", "tissue_codes", List.of(INPUT, "mask"), "tissue_codes"));
        g.addNode(node("ReduceSum", "code_total", List.of("tissue_codes", "spatial_axes"), "code_total", intAttr("keepdims", 0)));
        g.addNode(node("Div", "mean_code", List.of("code_total", "count"), "mean_code_raw"));
        g.addInitializer(tensor("code_centre", w.codeCentre(), w.codeSize()));
        g.addInitializer(tensor("code_scale", w.codeScale(), w.codeSize()));
        g.addNode(node("Sub", "mean_code_centred", List.of("mean_code_raw", "code_centre"), "mean_code_c"));
        g.addNode(node("Mul", "mean_code_scaled", List.of("mean_code_c", "code_scale"), "mean_code"));
        g.addNode(node("Concat", "output_features", List.of("hidden_a", "composition", "mean_code"), "out_in", intAttr("axis", 1)));
        g.addInitializer(tensor("out_w", w.output(), GigapixelHead.FILTERS + GigapixelHead.FRACTIONS + w.codeSize(), w.outputs()));
        g.addInitializer(tensor("out_b", w.outputBias(), w.outputs()));
        finish(g, "out_in", activation);
        g.addOutput(floatInfo(OUTPUT, "N", w.outputs()));
        return OnnxGraph.model(g, name + ": NIC slide head; input grid N x C x H x W float (compressed grid crop, background 0)");
    }
}
