package org.nic.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.nic.grid.CompressedGrid;

/**
 * A slide head in ONNX Runtime. Prediction averages the head's output over {@code crops} crops of
 * {@code crop x crop} cells centred on tissue cells spread evenly along the slide's tissue (row-major
 * order), zero-padded at the edges: the placement the model card documents.
 */
public final class OnnxHead implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String input;

    public OnnxHead(byte[] model) {
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            this.session = env.createSession(model, options);
            this.input = session.getInputNames().iterator().next();
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load the head: " + e.getMessage(), e);
        }
    }

    /** Mean output over the crops (value, class probabilities, or log-risk). */
    public float[] predict(CompressedGrid grid, int crop, int crops) {
        List<int[]> cells = grid.tissueCells();
        int n = cells.isEmpty() ? 1 : Math.min(crops, cells.size());
        int plane = grid.channels() * crop * crop;
        float[] x = new float[n * plane];
        for (int k = 0; k < n; k++) {
            int[] centre = cells.isEmpty() ? new int[] {grid.rows() / 2, grid.cols() / 2}
                    : cells.get((int) ((k + 0.5) * cells.size() / n));
            grid.crop(centre[0], centre[1], crop, 0, x, k * plane);
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, grid.channels(), crop, crop});
             OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][] out = (float[][]) r.get(0).getValue();
            float[] mean = new float[out[0].length];
            for (float[] row : out) {
                for (int j = 0; j < mean.length; j++) {
                    mean[j] += row[j] / n;
                }
            }
            return mean;
        } catch (OrtException e) {
            throw new IllegalStateException("head failed on slide " + grid.slideId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // nothing to do
        }
    }
}
