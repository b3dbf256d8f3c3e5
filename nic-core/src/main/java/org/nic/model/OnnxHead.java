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

    /** Crops run together; a 400-cell crop of 128 channels is 82 MB, so a few at a time keep memory bounded. */
    static final int CROPS_PER_RUN = 2;

    /**
     * Mean output over the crops (value, class probabilities, or log-risk): when the crop can hold the whole
     * grid, the grid in up to 8 orientations (4 rotations x flip, as heads are trained); otherwise crops
     * centred on tissue cells spread evenly along the row-major list of tissue cells.
     */
    public float[] predict(CompressedGrid grid, int crop, int crops) {
        List<int[]> cells = grid.tissueCells();
        boolean whole = grid.fitsIn(crop);
        int n = whole ? Math.max(1, Math.min(crops, 8)) : cells.isEmpty() ? 1 : Math.min(crops, cells.size());
        int plane = grid.channels() * crop * crop;
        float[] x = new float[Math.min(n, CROPS_PER_RUN) * plane];
        float[] mean = null;
        for (int start = 0; start < n; start += CROPS_PER_RUN) {
            int m = Math.min(CROPS_PER_RUN, n - start);
            for (int k = 0; k < m; k++) {
                if (whole) {
                    int[] centre = grid.wholeGridCentre(crop, 0, 0);
                    grid.crop(centre[0], centre[1], crop, start + k, x, k * plane);
                } else {
                    int[] centre = cells.isEmpty() ? new int[] {grid.rows() / 2, grid.cols() / 2}
                            : cells.get((int) ((start + k + 0.5) * cells.size() / n));
                    grid.crop(centre[0], centre[1], crop, 0, x, k * plane);
                }
            }
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x, 0, m * plane),
                    new long[] {m, grid.channels(), crop, crop});
                 OrtSession.Result r = session.run(Map.of(input, t))) {
                float[][] out = (float[][]) r.get(0).getValue();
                if (mean == null) {
                    mean = new float[out[0].length];
                }
                for (float[] row : out) {
                    for (int j = 0; j < mean.length; j++) {
                        mean[j] += row[j] / n;
                    }
                }
            } catch (OrtException e) {
                throw new IllegalStateException("head failed on slide " + grid.slideId() + ": " + e.getMessage(), e);
            }
        }
        return mean;
    }

    /**
     * The head's output on a {@code crop x crop} crop centred on each of {@code centres} ({@code [row, col]}),
     * one row per centre, as is (no orientations): a map of where on the slide the head's answer comes from.
     */
    public float[][] predictEach(CompressedGrid grid, int crop, List<int[]> centres) {
        int plane = grid.channels() * crop * crop;
        float[][] out = new float[centres.size()][];
        float[] x = new float[Math.min(centres.size(), CROPS_PER_RUN) * plane];
        for (int start = 0; start < centres.size(); start += CROPS_PER_RUN) {
            int m = Math.min(CROPS_PER_RUN, centres.size() - start);
            for (int k = 0; k < m; k++) {
                int[] centre = centres.get(start + k);
                grid.crop(centre[0], centre[1], crop, 0, x, k * plane);
            }
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x, 0, m * plane),
                    new long[] {m, grid.channels(), crop, crop});
                 OrtSession.Result r = session.run(Map.of(input, t))) {
                float[][] rows = (float[][]) r.get(0).getValue();
                System.arraycopy(rows, 0, out, start, m);
            } catch (OrtException e) {
                throw new IllegalStateException("head failed on slide " + grid.slideId() + ": " + e.getMessage(), e);
            }
        }
        return out;
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
