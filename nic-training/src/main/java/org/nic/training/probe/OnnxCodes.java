package org.nic.training.probe;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.nic.training.data.Augmenter;
import org.nic.training.data.PatchExample;
import org.nic.training.model.OnnxEncoderExporter;

/** Frozen codes of patches (centre crops) from an ONNX encoder, in ONNX Runtime. */
public final class OnnxCodes {

    private OnnxCodes() {
    }

    public static float[][] encode(byte[] onnx, List<PatchExample> examples) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int plane = 3 * Augmenter.OUT * Augmenter.OUT;
        int chunk = 64;
        float[][] codes = new float[examples.size()][];
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
            for (int start = 0; start < examples.size(); start += chunk) {
                int size = Math.min(chunk, examples.size() - start);
                float[] x = new float[size * plane];
                for (int i = 0; i < size; i++) {
                    Augmenter.centre(examples.get(start + i), x, i * plane);
                }
                try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                        new long[] {size, 3, Augmenter.OUT, Augmenter.OUT});
                     OrtSession.Result result = session.run(Map.of(OnnxEncoderExporter.INPUT, input))) {
                    float[][] out = (float[][]) result.get(0).getValue();
                    System.arraycopy(out, 0, codes, start, size);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
        return codes;
    }
}
