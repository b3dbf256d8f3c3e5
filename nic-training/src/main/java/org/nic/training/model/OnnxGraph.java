package org.nic.training.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Small builders over ONNX's protobuf classes (from tribuo-util-onnx), shared by NIC's exporters. */
public final class OnnxGraph {

    /** Opset every NIC model is written for. */
    public static final int OPSET = 13;

    private OnnxGraph() {
    }

    public static byte[] model(GraphProto.Builder graph, String doc) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("nic-training")
                .setDomain("org.nic")
                .setDocString(doc)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build().toByteArray();
    }

    public static NodeProto node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output)
                .addAllAttribute(Arrays.asList(attributes)).build();
    }

    public static TensorProto tensor(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return rawTensor(name, TensorProto.DataType.FLOAT, values.length, raw, dims);
    }

    /** An int8 tensor (quantised weights). */
    public static TensorProto int8Tensor(String name, byte[] values, long... dims) {
        return rawTensor(name, TensorProto.DataType.INT8, values.length, ByteBuffer.wrap(values), dims);
    }

    /** A uint8 tensor (activation zero points). */
    public static TensorProto uint8Tensor(String name, byte[] values, long... dims) {
        return rawTensor(name, TensorProto.DataType.UINT8, values.length, ByteBuffer.wrap(values), dims);
    }

    /** An int32 tensor (quantised biases). */
    public static TensorProto int32Tensor(String name, int[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asIntBuffer().put(values);
        return rawTensor(name, TensorProto.DataType.INT32, values.length, raw, dims);
    }

    private static TensorProto rawTensor(String name, TensorProto.DataType type, int count, ByteBuffer raw, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException(name + ": " + count + " values for shape " + Arrays.toString(dims));
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor of unstated shape (an intermediate exposed as an output). */
    public static ValueInfoProto floatInfoAnyShape(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()))).build();
    }

    /** A float tensor's description; a {@code null} dimension is symbolic, named after {@code names}. */
    public static ValueInfoProto floatInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }

    public static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    public static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    public static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }
}
