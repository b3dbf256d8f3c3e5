package org.nic.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nic.model.ModelCard;
import org.nic.training.TestData;
import org.nic.training.data.CalibrationPatches;

/**
 * The INT8 encoder against the float one it comes from, on real patches it was not calibrated on (Kather 2016
 * colorectal textures and LC25000 lung, the probe targets), and the shipped INT8 encoder against its command.
 */
class EncoderQuantizerTest {

    private static final Path SHIPPED = Path.of("../models/encoders/mtl-nic-v2");
    private static final Path SHIPPED_INT8 = Path.of("../models/encoders/mtl-nic-v2-int8");
    private static final int PLANE = 3 * 128 * 128;

    private static byte[] floatModel;
    private static float[] probePatches;
    private static int probeCount;

    @BeforeAll
    static void load() throws IOException {
        floatModel = ModelCard.read(SHIPPED.resolve(ModelCard.FILE_NAME)).verifiedModel(SHIPPED);
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("patches/kather-texture-2016", "patches/lc25000-lung")) {
            try (Stream<Path> classes = Files.list(TestData.data().resolve(dir))) {
                for (Path c : classes.filter(Files::isDirectory).sorted().toList()) {
                    try (Stream<Path> images = Files.list(c)) {
                        files.addAll(images.sorted().limit(6).toList());
                    }
                }
            }
        }
        probeCount = files.size();
        probePatches = new float[probeCount * PLANE];
        for (int i = 0; i < probeCount; i++) {
            System.arraycopy(TestData.patch(TestData.data().relativize(files.get(i).toAbsolutePath().normalize()).toString()),
                    0, probePatches, i * PLANE, PLANE);
        }
    }

    @Test
    void readsBackWhatTheExporterWroteByteForByte() {
        EncoderWeights w = EncoderQuantizer.fromOnnx(floatModel);
        assertThat(w.convs()).hasSize(4);
        assertThat(w.inputPool()).isEqualTo(2);
        assertThat(OnnxEncoderExporter.toOnnx(w, "mtl-nic-v2")).isEqualTo(floatModel);
    }

    @Test
    void foldingTheBatchNormsKeepsTheCodes() throws Exception {
        EncoderQuantizer.Folded folded = EncoderQuantizer.fold(EncoderQuantizer.fromOnnx(floatModel));
        float[][] expected = codes(floatModel, probePatches, probeCount);
        float[][] actual = codes(EncoderQuantizer.floatModel(folded, "folded", false), probePatches, probeCount);
        for (int i = 0; i < probeCount; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertThat(actual[i][j]).as("code %d of patch %d", j, i)
                        .isCloseTo(expected[i][j], within(1e-3f * Math.max(1, Math.abs(expected[i][j]))));
            }
        }
    }

    @Test
    void int8CodesPointWhereTheFloatCodesPointOnPatchesOutsideCalibration() throws Exception {
        byte[] int8 = shippedInt8();
        float[][] f = codes(floatModel, probePatches, probeCount);
        float[][] q = codes(int8, probePatches, probeCount);
        double sum = 0;
        double min = 1;
        for (int i = 0; i < probeCount; i++) {
            double c = cosine(f[i], q[i]);
            sum += c;
            min = Math.min(min, c);
        }
        System.out.printf("INT8 vs float on %d probe patches: cosine mean %.5f, min %.5f%n", probeCount, sum / probeCount, min);
        // Measured 2026-12-07 (norms folded, min/max ranges): mean 0.9968, min 0.980.
        assertThat(sum / probeCount).isGreaterThan(0.996);
        assertThat(min).isGreaterThan(0.97);
    }

    @Test
    void foldedOrNotTheFloatGraphsComputeTheSameCodes() throws Exception {
        EncoderWeights w = EncoderQuantizer.fromOnnx(floatModel);
        float[][] folded = codes(EncoderQuantizer.floatModel(EncoderQuantizer.fold(w, true), "a", false), probePatches, probeCount);
        float[][] kept = codes(EncoderQuantizer.floatModel(EncoderQuantizer.fold(w, false), "b", false), probePatches, probeCount);
        for (int i = 0; i < probeCount; i++) {
            assertThat(cosine(folded[i], kept[i])).as("patch %d", i).isGreaterThan(0.99999);
        }
    }

    @Test
    void onnxRuntimeRunsTheInt8ModelOnIntegerKernels(@TempDir Path tmp) throws Exception {
        Path optimised = tmp.resolve("optimised.onnx");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setOptimizedModelFilePath(optimised.toString());
            OrtEnvironment.getEnvironment().createSession(shippedInt8(), options).close();
        }
        List<String> ops = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(optimised)).getGraph().getNodeList().stream()
                .map(OnnxMl.NodeProto::getOpType).toList();
        assertThat(ops).as("operators after ONNX Runtime's optimiser").doesNotContain("Conv")
                .filteredOn("QLinearConv"::equals).hasSize(4);
    }

    @Test
    void theShippedInt8EncoderIsWhatItsCardsCommandMakes() throws Exception {
        ModelCard card = ModelCard.read(SHIPPED_INT8.resolve(ModelCard.FILE_NAME));
        @SuppressWarnings("unchecked")
        Map<String, Object> from = (Map<String, Object>) card.properties().get("quantised-from");
        assertThat(from).containsEntry("id", "mtl-nic-v2")
                .containsEntry("sha256", ModelCard.read(SHIPPED.resolve(ModelCard.FILE_NAME)).sha256());
        @SuppressWarnings("unchecked")
        Map<String, Object> calibration = (Map<String, Object>) card.properties().get("calibration");
        @SuppressWarnings("unchecked")
        List<String> files = (List<String>) calibration.get("files");
        List<Path> images = files.stream().map(f -> TestData.data().resolve(f.substring(f.indexOf("patches/")))).toList();
        CalibrationPatches.Patches patches = CalibrationPatches.of(images, ((Number) calibration.get("scale")).doubleValue(),
                ((Number) calibration.get("stride")).intValue());
        assertThat(patches.count()).isEqualTo(((Number) calibration.get("patches")).intValue());
        byte[] again = EncoderQuantizer.quantise(EncoderQuantizer.fromOnnx(floatModel), patches.values(), patches.count(),
                card.id(), EncoderQuantizer.Calibration.valueOf((String) calibration.get("method")),
                (Boolean) calibration.get("fold-norms")).onnx();
        // Calibration runs on one thread; another CPU's kernels may round differently, so compare what the models compute.
        float[][] expected = codes(shippedInt8(), probePatches, probeCount);
        float[][] actual = codes(again, probePatches, probeCount);
        for (int i = 0; i < probeCount; i++) {
            assertThat(cosine(expected[i], actual[i])).as("patch %d", i).isGreaterThan(0.9999);
        }
    }

    @Test
    void refusesAnEncoderWithNothingToQuantise() {
        byte[] meanRgb = OnnxEncoderExporter.toOnnx(EncoderWeights.meanRgb(), "mean");
        assertThatThrownBy(() -> EncoderQuantizer.fromOnnx(meanRgb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("convolutional");
        assertThatThrownBy(() -> EncoderQuantizer.fold(EncoderWeights.meanRgb())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangesAlwaysHoldZeroExactly() {
        EncoderQuantizer.Range r = new EncoderQuantizer.Range(0.5f, 3f);
        assertThat(r.min()).isZero();
        assertThat(r.zeroPoint()).isZero();
        EncoderQuantizer.Range s = new EncoderQuantizer.Range(-1f, 1f);
        // Zero maps to an integer, so it dequantises to exactly 0.
        assertThat((0 - s.zeroPoint()) * s.scale()).isCloseTo(-1f, within(s.scale()));
        assertThat(s.zeroPoint()).isBetween(127, 128);
    }

    private static byte[] shippedInt8() {
        return ModelCard.read(SHIPPED_INT8.resolve(ModelCard.FILE_NAME)).verifiedModel(SHIPPED_INT8);
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    static float[][] codes(byte[] model, float[] patches, int count) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(patches, 0, count * PLANE),
                     new long[] {count, 3, 128, 128});
             OrtSession.Result result = session.run(Map.of(OnnxEncoderExporter.INPUT, input))) {
            return (float[][]) result.get(0).getValue();
        }
    }
}
