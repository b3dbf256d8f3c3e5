package org.nic.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped encoder in ONNX Runtime: CUDA requests fall back to CPU on a CPU build, codes are stable. */
class OnnxPatchEncoderTest {

    static byte[] shippedModel() throws Exception {
        Path model = Path.of("..", "models", "encoders", "mtl-nic-lung-tissue-v1", "model.onnx");
        return Files.readAllBytes(model);
    }

    @Test
    void cudaFallsBackToCpuWhenTheCudaProviderIsMissing() throws Exception {
        byte[] model = shippedModel();
        try (PatchEncoder auto = OnnxPatchEncoder.load(model, "auto", 1);
             PatchEncoder cuda = OnnxPatchEncoder.load(model, "cuda:0", 1);
             PatchEncoder cpu = OnnxPatchEncoder.load(model, "cpu", 1)) {
            // This build carries the CPU onnxruntime: both fall back (a GPU build on a CUDA machine would not).
            assertThat(auto.device()).isIn("cpu", "cuda:0");
            assertThat(cuda.device()).isIn("cpu", "cuda:0");
            assertThat(cpu.device()).isEqualTo("cpu");
            assertThat(cpu.codeSize()).isEqualTo(128);
            float[] patches = new float[2 * PatchEncoder.PATCH_FLOATS];
            for (int i = 0; i < patches.length; i++) {
                patches[i] = (float) Math.sin(i * 0.001);
            }
            float[] a = new float[256];
            float[] b = new float[256];
            cpu.encode(patches, 2, a);
            cuda.encode(patches, 2, b);
            for (int i = 0; i < 256; i++) {
                assertThat(b[i]).isCloseTo(a[i], org.assertj.core.api.Assertions.within(1e-3f * Math.max(1, Math.abs(a[i]))));
            }
            assertThat(a[0]).isNotEqualTo(a[128]); // two different patches, two different codes
        }
    }

    @Test
    void unknownDevicesAndBrokenModelsAreRefused() throws Exception {
        assertThatThrownBy(() -> OnnxPatchEncoder.load(shippedModel(), "tpu", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tpu");
        assertThatThrownBy(() -> OnnxPatchEncoder.load("not a model".getBytes(), "cpu", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ONNX Runtime");
    }
}
