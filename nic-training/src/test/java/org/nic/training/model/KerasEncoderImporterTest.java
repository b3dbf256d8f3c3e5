package org.nic.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nic.training.TestData;

/**
 * The authors' Keras encoders, imported and written as ONNX, give in ONNX Runtime what a plain Keras-order
 * computation (NHWC, HWIO kernels, straight from the HDF5 arrays) gives on real patches.
 */
class KerasEncoderImporterTest {

    private static final String[] PATCHES = {
        "patches/lc25000-lung/lung_aca/lungaca1.jpeg",
        "patches/lc25000-lung/lung_n/lungn10.jpeg",
        "patches/histolab-tiles/histolab_tiles__no-tissue.png",
    };

    @Test
    void multitask4MatchesAHandComputation() throws Exception {
        checkAgainstHand("multitask-4");
    }

    @Test
    void biganMatchesAHandComputation() throws Exception {
        checkAgainstHand("bigan");
    }

    @Test
    void meanRgbIsTheMeanColour() throws Exception {
        EncoderWeights w = KerasEncoderImporter.read(TestData.paperModel("mean-rgb"));
        assertThat(w.kind()).isEqualTo(EncoderWeights.MEAN_RGB);
        float[] patch = TestData.patch(PATCHES[0]);
        float[] code = TestData.runOnnx(OnnxEncoderExporter.toOnnx(w, "mean-rgb"), patch, 3);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = 0; i < 128 * 128; i++) {
                sum += patch[c * 128 * 128 + i];
            }
            assertThat((double) code[c]).isCloseTo(sum / (128 * 128), org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    private void checkAgainstHand(String name) throws Exception {
        Path h5 = TestData.paperModel(name);
        EncoderWeights w = KerasEncoderImporter.read(h5);
        assertThat(w.convs()).hasSize(4);
        assertThat(w.codeSize()).isEqualTo(128);
        assertThat(w.parameterCount()).isBetween(500_000L, 700_000L);
        byte[] onnx = OnnxEncoderExporter.toOnnx(w, name);
        Map<String, Object> raw = rawKerasArrays(h5);
        for (String p : PATCHES) {
            float[] patch = TestData.patch(p);
            float[] ort = TestData.runOnnx(onnx, patch, 128);
            float[] hand = kerasForward(raw, patch);
            for (int i = 0; i < 128; i++) {
                assertThat(ort[i]).as("%s code[%d] on %s", name, i, p)
                        .isCloseTo(hand[i], org.assertj.core.api.Assertions.within(1e-4f * Math.max(1, Math.abs(hand[i]))));
            }
        }
    }

    /** Keras layer arrays by layer name, from the HDF5 file as stored. */
    private static Map<String, Object> rawKerasArrays(Path h5) {
        Map<String, Object> arrays = new TreeMap<>();
        try (HdfFile file = new HdfFile(h5)) {
            collect((Group) file.getByPath("/model_weights"), arrays);
        }
        return arrays;
    }

    private static void collect(Group g, Map<String, Object> out) {
        for (Node n : g.getChildren().values()) {
            if (n instanceof Dataset d) {
                out.put(g.getName() + "/" + d.getName(), d.getData());
            } else if (n instanceof Group child) {
                collect(child, out);
            }
        }
    }

    /** The Keras model, computed by hand: NHWC, 2x2 pool, 4 x (conv, LeakyReLU 0.2, BN eps 1e-3), flatten, dense. */
    private static float[] kerasForward(Map<String, Object> raw, float[] nchw) {
        int size = 64;
        float[][][] x = new float[size][size][3];
        for (int y = 0; y < size; y++) {
            for (int xx = 0; xx < size; xx++) {
                for (int c = 0; c < 3; c++) {
                    int base = c * 128 * 128;
                    x[y][xx][c] = (nchw[base + 2 * y * 128 + 2 * xx] + nchw[base + 2 * y * 128 + 2 * xx + 1]
                            + nchw[base + (2 * y + 1) * 128 + 2 * xx] + nchw[base + (2 * y + 1) * 128 + 2 * xx + 1]) / 4;
                }
            }
        }
        List<String> convs = sortedLayers(raw, "conv2d_");
        List<String> norms = sortedLayers(raw, "batch_normalization_");
        for (int l = 0; l < convs.size(); l++) {
            float[][][][] k = (float[][][][]) raw.get(convs.get(l) + "/kernel:0");
            float[] b = (float[]) raw.get(convs.get(l) + "/bias:0");
            String bn = norms.get(l);
            float[] gamma = (float[]) raw.get(bn + "/gamma:0");
            float[] beta = (float[]) raw.get(bn + "/beta:0");
            float[] mean = (float[]) raw.get(bn + "/moving_mean:0");
            float[] var = (float[]) raw.get(bn + "/moving_variance:0");
            int in = x[0][0].length;
            int out = b.length;
            int outSize = (x.length - 3) / 2 + 1;
            float[][][] y = new float[outSize][outSize][out];
            for (int oy = 0; oy < outSize; oy++) {
                for (int ox = 0; ox < outSize; ox++) {
                    for (int o = 0; o < out; o++) {
                        double s = b[o];
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                float[] px = x[2 * oy + ky][2 * ox + kx];
                                for (int c = 0; c < in; c++) {
                                    s += px[c] * k[ky][kx][c][o];
                                }
                            }
                        }
                        double a = s > 0 ? s : 0.2 * s;
                        y[oy][ox][o] = (float) ((a - mean[o]) / Math.sqrt(var[o] + 1e-3) * gamma[o] + beta[o]);
                    }
                }
            }
            x = y;
        }
        List<Float> flat = new ArrayList<>();
        for (float[][] row : x) {
            for (float[] px : row) {
                for (float v : px) {
                    flat.add(v);
                }
            }
        }
        String dense = raw.keySet().stream().filter(n -> n.endsWith("/kernel:0") && !n.startsWith("conv2d"))
                .findFirst().orElseThrow().replace("/kernel:0", "");
        float[][] w = (float[][]) raw.get(dense + "/kernel:0");
        float[] bias = (float[]) raw.get(dense + "/bias:0");
        float[] code = new float[bias.length];
        for (int o = 0; o < bias.length; o++) {
            double s = bias[o];
            for (int i = 0; i < flat.size(); i++) {
                s += flat.get(i) * w[i][o];
            }
            code[o] = (float) s;
        }
        return code;
    }

    private static List<String> sortedLayers(Map<String, Object> raw, String prefix) {
        return raw.keySet().stream().map(k -> k.substring(0, k.indexOf('/'))).filter(n -> n.startsWith(prefix)).distinct()
                .sorted(java.util.Comparator.comparingInt(n -> Integer.parseInt(n.substring(prefix.length())))).toList();
    }
}
