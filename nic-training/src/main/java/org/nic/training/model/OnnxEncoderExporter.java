package org.nic.training.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    static final int OPSET = 13;

    private OnnxEncoderExporter() {
    }

    public static byte[] toOnnx(EncoderWeights weights, String modelName) {
        GraphProto.Builder graph = GraphProto.newBuilder().setName(modelName);
        graph.addInput(tensorInfo(INPUT, "N", 3, PATCH_SIZE, PATCH_SIZE));
        String x = INPUT;
        if (EncoderWeights.MEAN_RGB.equals(weights.kind())) {
            graph.addNode(node("GlobalAveragePool", "gap", List.of(x), "gap_out"));
            graph.addNode(node("Flatten", "flatten", List.of("gap_out"), OUTPUT).toBuilder()
                    .addAttribute(intAttr("axis", 1)).build());
            graph.addOutput(tensorInfo(OUTPUT, "N", 3));
            return model(graph, modelName);
        }
        if (weights.inputPool() > 1) {
            int k = weights.inputPool();
            graph.addNode(node("AveragePool", "input_pool", List.of(x), "pooled").toBuilder()
                    .addAttribute(intsAttr("kernel_shape", k, k)).addAttribute(intsAttr("strides", k, k)).build());
            x = "pooled";
        }
        int i = 0;
        for (EncoderWeights.ConvLayer c : weights.convs()) {
            String p = "conv" + i;
            graph.addInitializer(tensor(p + "_w", c.kernel(), c.outChannels(), c.inChannels(), 3, 3));
            graph.addInitializer(tensor(p + "_b", c.bias(), c.outChannels()));
            graph.addNode(node("Conv", p, List.of(x, p + "_w", p + "_b"), p + "_out").toBuilder()
                    .addAttribute(intsAttr("kernel_shape", 3, 3)).addAttribute(intsAttr("strides", 2, 2)).build());
            graph.addNode(node("LeakyRelu", p + "_act", List.of(p + "_out"), p + "_act_out").toBuilder()
                    .addAttribute(floatAttr("alpha", weights.leak())).build());
            graph.addInitializer(tensor(p + "_gamma", c.gamma(), c.outChannels()));
            graph.addInitializer(tensor(p + "_beta", c.beta(), c.outChannels()));
            graph.addInitializer(tensor(p + "_mean", c.mean(), c.outChannels()));
            graph.addInitializer(tensor(p + "_var", c.variance(), c.outChannels()));
            graph.addNode(node("BatchNormalization", p + "_bn",
                    List.of(p + "_act_out", p + "_gamma", p + "_beta", p + "_mean", p + "_var"), p + "_bn_out").toBuilder()
                    .addAttribute(floatAttr("epsilon", c.epsilon())).build());
            x = p + "_bn_out";
            i++;
        }
        if (weights.flattenNhwc()) {
            graph.addNode(node("Transpose", "to_nhwc", List.of(x), "nhwc").toBuilder()
                    .addAttribute(intsAttr("perm", 0, 2, 3, 1)).build());
            x = "nhwc";
        }
        graph.addNode(node("Flatten", "flatten", List.of(x), "flat").toBuilder().addAttribute(intAttr("axis", 1)).build());
        EncoderWeights.Dense d = weights.dense();
        graph.addInitializer(tensor("dense_w", d.weight(), d.in(), d.out()));
        graph.addInitializer(tensor("dense_b", d.bias(), d.out()));
        graph.addNode(node("Gemm", "dense", List.of("flat", "dense_w", "dense_b"), OUTPUT));
        graph.addOutput(tensorInfo(OUTPUT, "N", d.out()));
        return model(graph, modelName);
    }

    private static byte[] model(GraphProto.Builder graph, String name) {
        return ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("nic-training")
                .setDomain("org.nic")
                .setDocString(name + ": NIC patch encoder; input patches N x 3 x 128 x 128 float RGB in [-1, 1]; "
                        + "output codes N x C")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build().toByteArray();
    }

    private static NodeProto node(String op, String name, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).build();
    }

    private static TensorProto tensor(String name, float[] values, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + java.util.Arrays.toString(dims));
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static ValueInfoProto tensorInfo(String name, String batch, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }
}
