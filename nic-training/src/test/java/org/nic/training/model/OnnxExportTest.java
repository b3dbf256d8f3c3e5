package org.nic.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nic.training.TestData;

/** The DJL network and its ONNX export agree on real patches, within 1e-4 x max(1, |value|). */
class OnnxExportTest {

    private static final String[] PATCHES = {
        "patches/lc25000-lung/lung_scc/lungscc20.jpeg",
        "patches/lc25000-lung/lung_aca/lungaca7.jpeg",
        "patches/histolab-tiles/histolab_tiles__tissue-level0-4302-10273-4814-10785.png",
    };

    @Test
    void freshNetworkAndItsOnnxAgree() throws Exception {
        try (Model model = Model.newInstance("export-test", "PyTorch")) {
            MtlNetwork net = new MtlNetwork(EncoderArchitecture.paper(), List.of(3, 2));
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 128, 128));
            compare(model.getNDManager(), net, net.encoderWeights());
        }
    }

    @Test
    void importedPaperEncoderLoadsIntoTheNetworkAndAgreesWithItsOnnx() throws Exception {
        EncoderWeights keras = KerasEncoderImporter.read(TestData.paperModel("multitask-4"));
        try (Model model = Model.newInstance("import-test", "PyTorch")) {
            MtlNetwork net = new MtlNetwork(EncoderArchitecture.paper(), List.of(3));
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 128, 128));
            net.loadEncoderWeights(keras);
            // The Keras-ordered ONNX and the network (now in PyTorch order) must compute the same codes.
            compare(model.getNDManager(), net, keras);
            compare(model.getNDManager(), net, net.encoderWeights());
        }
    }

    private static void compare(NDManager manager, MtlNetwork net, EncoderWeights exported) throws Exception {
        byte[] onnx = OnnxEncoderExporter.toOnnx(exported, "test");
        ParameterStore ps = new ParameterStore(manager, false);
        for (String p : PATCHES) {
            float[] patch = TestData.patch(p);
            NDArray x = manager.create(patch, new Shape(1, 3, 128, 128));
            float[] djl = net.encode(ps, x).toFloatArray();
            float[] ort = TestData.runOnnx(onnx, patch, 128);
            for (int i = 0; i < djl.length; i++) {
                assertThat(ort[i]).as("code[%d] of %s", i, p).isCloseTo(djl[i], within(1e-4f * Math.max(1, Math.abs(djl[i]))));
            }
        }
    }
}
