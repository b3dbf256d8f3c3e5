package org.nic.training.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** An untrained encoder of the paper's architecture (DJL's default initialisation, seeded): the floor of every table. */
public final class RandomEncoder {

    public static final String ID = "random-init";

    private RandomEncoder() {
    }

    public static EncoderWeights weights(long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        try (Model model = Model.newInstance(ID, "PyTorch")) {
            MtlNetwork net = new MtlNetwork(EncoderArchitecture.paper(), List.of(1));
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 128, 128));
            return net.encoderWeights();
        }
    }

    public static byte[] onnx(long seed) {
        return OnnxEncoderExporter.toOnnx(weights(seed), ID);
    }
}
