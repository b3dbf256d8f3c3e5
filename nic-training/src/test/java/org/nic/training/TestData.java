package org.nic.training;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Shared data and small helpers for the training tests. */
public final class TestData {

    private TestData() {
    }

    public static Path data() {
        return org.nic.data.SharedData.folder();
    }

    public static Path paperModel(String name) {
        return data().resolve("models/nic-paper/encoder_" + name + ".h5");
    }

    /** Runs an ONNX encoder on one patch in ONNX Runtime and returns its code. */
    public static float[] runOnnx(byte[] model, float[] patch, int codeSize) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = env.createSession(model, new ai.onnxruntime.OrtSession.SessionOptions());
             ai.onnxruntime.OnnxTensor input = ai.onnxruntime.OnnxTensor.createTensor(env,
                     java.nio.FloatBuffer.wrap(patch), new long[] {1, 3, 128, 128});
             ai.onnxruntime.OrtSession.Result result = session.run(java.util.Map.of(
                     org.nic.training.model.OnnxEncoderExporter.INPUT, input))) {
            float[][] out = (float[][]) result.get(0).getValue();
            if (out[0].length != codeSize) {
                throw new AssertionError("code size " + out[0].length + ", expected " + codeSize);
            }
            return out[0];
        }
    }

    /** A real patch, resized to 128 px, as NCHW floats in [-1, 1]. */
    public static float[] patch(String relative) throws IOException {
        BufferedImage src = ImageIO.read(data().resolve(relative).toFile());
        BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, 128, 128, null);
        g.dispose();
        float[] out = new float[3 * 128 * 128];
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                int p = img.getRGB(x, y);
                out[y * 128 + x] = ((p >> 16) & 0xFF) / 127.5f - 1;
                out[128 * 128 + y * 128 + x] = ((p >> 8) & 0xFF) / 127.5f - 1;
                out[2 * 128 * 128 + y * 128 + x] = (p & 0xFF) / 127.5f - 1;
            }
        }
        return out;
    }
}
