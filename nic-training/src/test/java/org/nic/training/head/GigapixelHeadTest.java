package org.nic.training.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gigapixel head in DJL and its ONNX export agree within 1e-4 x max(1, |value|), on two crop sizes. */
class GigapixelHeadTest {

    @ParameterizedTest(name = "slide-normalised arrangement input: {0}")
    @ValueSource(booleans = {false, true})
    void djlAndOnnxAgree(boolean slideNorm) throws Exception {
        int codes = 16;
        try (Model model = Model.newInstance("head", "PyTorch")) {
            GigapixelHead head = new GigapixelHead(codes, 3, true, slideNorm);
            model.setBlock(head);
            NDManager m = model.getNDManager();
            head.initialize(m, DataType.FLOAT32, new Shape(1, codes, 40, 40));
            Random r = new Random(7);
            // Cell types and the mean code's standardisation from training grids, as the trainer starts them.
            java.util.List<org.nic.grid.CompressedGrid> training = new java.util.ArrayList<>();
            for (int g = 0; g < 4; g++) {
                float[] c = randoms(r, codes * 100, 1f);
                for (int i = 0; i < c.length; i++) {
                    c[i] += 0.3f * g;
                }
                boolean[] tissue = new boolean[100];
                java.util.Arrays.fill(tissue, true);
                training.add(new org.nic.grid.CompressedGrid("g" + g, codes, 10, 10, c, tissue));
            }
            head.initialiseTypes(training, 3);
            float[] scale = head.weights(codes).codeScale();
            for (float v : scale) {
                assertThat(v).as("a standardisation was fitted").isNotEqualTo(1f).isPositive();
            }
            // Non-trivial running statistics, so that the exported batch norm is really checked.
            for (Block b : head.arrangementBranch().getChildren().values()) {
                if (b instanceof BatchNorm bn) {
                    GigapixelHead.parameter(bn, "runningMean").getArray().set(FloatBuffer.wrap(randoms(r, 128, 0.1f)));
                    float[] var = randoms(r, 128, 0.2f);
                    for (int i = 0; i < var.length; i++) {
                        var[i] = 1 + Math.abs(var[i]);
                    }
                    GigapixelHead.parameter(bn, "runningVar").getArray().set(FloatBuffer.wrap(var));
                }
            }
            HeadWeights weights = head.weights(codes);
            assertThat(weights.layers()).hasSize(8);
            assertThat(weights.slideNorm()).isEqualTo(slideNorm);
            byte[] raw = OnnxHeadExporter.toOnnx(weights, OnnxHeadExporter.Activation.NONE, "t");
            byte[] soft = OnnxHeadExporter.toOnnx(weights, OnnxHeadExporter.Activation.SOFTMAX, "t");
            for (int side : new int[] {40, 23}) {
                float[] grid = randoms(r, codes * side * side, 1f);
                // Glass in the first rows (codes all zero): the composition branch must average over tissue only.
                for (int ch = 0; ch < codes; ch++) {
                    for (int y = 0; y < side / 3; y++) {
                        for (int xx = 0; xx < side; xx++) {
                            grid[(ch * side + y) * side + xx] = 0;
                        }
                    }
                }
                NDArray x = m.create(grid, new Shape(1, codes, side, side));
                float[] djl = head.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
                float[] ort = run(raw, grid, codes, side);
                for (int i = 0; i < 3; i++) {
                    assertThat(ort[i]).isCloseTo(djl[i], within(1e-4f * Math.max(1, Math.abs(djl[i]))));
                }
                float[] p = run(soft, grid, codes, side);
                double sum = 0;
                for (int i = 0; i < 3; i++) {
                    sum += p[i];
                    double expected = Math.exp(djl[i]) / (Math.exp(djl[0]) + Math.exp(djl[1]) + Math.exp(djl[2]));
                    assertThat((double) p[i]).isCloseTo(expected, within(1e-4));
                }
                assertThat(sum).isCloseTo(1, within(1e-5));
            }
        }
    }

    /**
     * The slide-normalised input does not move when every tissue code of a slide is shifted per channel and
     * scaled as a whole (as a patient's or a stain's codes may be), and glass stays zero.
     */
    @Test
    void slideNormalisedInputIgnoresAShiftPerChannelAndAScaleOfTheSlide() {
        int codes = 8;
        int side = 12;
        Random r = new Random(11);
        float[] grid = randoms(r, codes * side * side, 1f);
        float[] moved = grid.clone();
        float scale = 0.5f + r.nextFloat();
        for (int c = 0; c < codes; c++) {
            float shift = 2 * r.nextFloat() - 1;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int at = (c * side + y) * side + x;
                    if (y < 3) {
                        grid[at] = 0; // glass
                        moved[at] = 0;
                    } else {
                        moved[at] = grid[at] * scale + shift;
                    }
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[][] out = new float[2][];
            float[][] in = {grid, moved};
            for (int k = 0; k < 2; k++) {
                NDArray x = m.create(in[k], new Shape(1, codes, side, side));
                NDArray mask = x.abs().sum(new int[] {1}, true).gt(0f).toType(DataType.FLOAT32, false);
                out[k] = GigapixelHead.slideNormalised(x, mask).toFloatArray();
            }
            double sumSquares = 0;
            for (int i = 0; i < out[0].length; i++) {
                assertThat(out[1][i]).isCloseTo(out[0][i], within(1e-3f));
                sumSquares += out[0][i] * out[0][i];
                if ((i % (side * side)) / side < 3) {
                    assertThat(out[0][i]).isZero();
                }
            }
            // Unit mean square over the tissue cells' values: side * (side - 3) cells, each of `codes` values.
            assertThat(sumSquares / codes / (side * (side - 3))).isCloseTo(1, within(1e-2));
        }
    }

    @Test
    void attentionHeadDjlAndOnnxAgreeAndIgnoreBackground() throws Exception {
        int codes = 16;
        try (Model model = Model.newInstance("attention", "PyTorch")) {
            AttentionHead head = new AttentionHead(2);
            model.setBlock(head);
            NDManager m = model.getNDManager();
            head.initialize(m, DataType.FLOAT32, new Shape(1, codes, 12, 12));
            Random r = new Random(9);
            AttentionWeights weights = head.weights(codes);
            byte[] onnx = OnnxHeadExporter.toOnnx(weights, OnnxHeadExporter.Activation.NONE, "a");
            for (int side : new int[] {12, 7}) {
                float[] grid = randoms(r, codes * side * side, 1f);
                // Glass in the first rows (codes all zero): the composition branch must average over tissue only.
                for (int ch = 0; ch < codes; ch++) {
                    for (int y = 0; y < side / 3; y++) {
                        for (int xx = 0; xx < side; xx++) {
                            grid[(ch * side + y) * side + xx] = 0;
                        }
                    }
                }
                for (int y = 0; y < side; y++) {
                    for (int c = 0; c < codes; c++) {
                        grid[(c * side + y) * side] = 0f; // column 0 is background
                    }
                }
                NDArray x = m.create(grid, new Shape(1, codes, side, side));
                float[] djl = head.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
                float[] ort = run(onnx, grid, codes, side);
                for (int i = 0; i < 2; i++) {
                    assertThat(ort[i]).isCloseTo(djl[i], within(1e-4f * Math.max(1, Math.abs(djl[i]))));
                }
                // Changing a background cell to another background value (zero) changes nothing; changing the
                // padding area around tissue by adding more background changes nothing either.
                float[] padded = new float[codes * (side + 2) * (side + 2)];
                for (int c = 0; c < codes; c++) {
                    for (int y = 0; y < side; y++) {
                        System.arraycopy(grid, (c * side + y) * side, padded, (c * (side + 2) + y + 1) * (side + 2) + 1, side);
                    }
                }
                float[] more = run(onnx, padded, codes, side + 2);
                for (int i = 0; i < 2; i++) {
                    assertThat(more[i]).isCloseTo(ort[i], within(1e-4f * Math.max(1, Math.abs(ort[i]))));
                }
            }
        }
    }

    static float[] run(byte[] onnx, float[] grid, int codes, int side) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(grid), new long[] {1, codes, side, side});
             OrtSession.Result res = s.run(Map.of(OnnxHeadExporter.INPUT, t))) {
            return ((float[][]) res.get(0).getValue())[0];
        }
    }

    static float[] randoms(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }
}
