package org.nic.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped encoder in ONNX Runtime: CUDA requests fall back to CPU on a CPU build, codes are stable.
 * On a GPU machine run it with {@code -Dnictest.expect-device=cuda:0} (and {@code -Dgpu}): the CUDA path
 * must then really be taken.
 */
class OnnxPatchEncoderTest {

    /** What {@code auto} and {@code cuda:0} must give here: cpu on a CPU build, unless the run says otherwise. */
    static String expectedAcceleratedDevice() {
        String configured = System.getProperty("nictest.expect-device");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        boolean cudaBuild = ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA);
        return cudaBuild ? null : "cpu"; // a GPU build on a machine without a GPU may go either way
    }

    static byte[] shippedModel() throws Exception {
        Path model = Path.of("..", "models", "encoders", "mtl-nic-v2", "model.onnx");
        return Files.readAllBytes(model);
    }

    @Test
    void cudaFallsBackToCpuWhenTheCudaProviderIsMissing() throws Exception {
        byte[] model = shippedModel();
        try (PatchEncoder auto = OnnxPatchEncoder.load(model, "auto", 1);
             PatchEncoder cuda = OnnxPatchEncoder.load(model, "cuda:0", 1);
             PatchEncoder cpu = OnnxPatchEncoder.load(model, "cpu", 1)) {
            String expected = expectedAcceleratedDevice();
            if (expected != null) {
                assertThat(cuda.device()).as("device of a cuda:0 request").isEqualTo(expected);
                assertThat(auto.device()).as("device of an auto request").isEqualTo(expected);
            } else {
                assertThat(cuda.device()).isIn("cpu", "cuda:0");
            }
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
