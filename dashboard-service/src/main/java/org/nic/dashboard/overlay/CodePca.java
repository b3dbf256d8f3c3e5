package org.nic.dashboard.overlay;

import java.util.Arrays;
import org.nic.grid.CompressedGrid;
import org.nic.stats.Pca;

/**
 * Principal components of a grid's codes over its tissue cells, the NIC paper's way of showing what the
 * encoder sees: the first three components as red, green and blue ({@link Pca}: the largest loading of each
 * component is positive, so the same grid always gets the same colours).
 */
public final class CodePca {

    private CodePca() {
    }

    /**
     * @return {@code k} rows of {@code rows * cols} scores (row-major cells), NaN on background cells; a
     *         component the codes do not have (fewer tissue cells or channels than {@code k}) is all zero on tissue
     */
    public static float[][] scores(CompressedGrid g, int k) {
        int c = g.channels();
        int cells = g.rows() * g.cols();
        int n = 0;
        double[] mean = new double[c];
        for (int i = 0; i < cells; i++) {
            if (g.tissue()[i]) {
                n++;
                for (int ch = 0; ch < c; ch++) {
                    mean[ch] += g.codes()[ch * cells + i];
                }
            }
        }
        float[][] out = new float[k][cells];
        for (float[] row : out) {
            Arrays.fill(row, Float.NaN);
        }
        if (n == 0) {
            return out;
        }
        for (int ch = 0; ch < c; ch++) {
            mean[ch] /= n;
        }
        double[][] cov = new double[c][c];
        double[] v = new double[c];
        for (int i = 0; i < cells; i++) {
            if (!g.tissue()[i]) {
                continue;
            }
            for (int ch = 0; ch < c; ch++) {
                v[ch] = g.codes()[ch * cells + i] - mean[ch];
            }
            for (int a = 0; a < c; a++) {
                for (int b = a; b < c; b++) {
                    cov[a][b] += v[a] * v[b];
                }
            }
        }
        for (int a = 0; a < c; a++) {
            for (int b = a; b < c; b++) {
                cov[a][b] /= Math.max(1, n - 1);
                cov[b][a] = cov[a][b];
            }
        }
        double[][] axes = Pca.axes(cov, k);
        for (int comp = 0; comp < k; comp++) {
            double[] loading = axes[comp];
            for (int i = 0; i < cells; i++) {
                if (!g.tissue()[i]) {
                    continue;
                }
                double s = 0;
                for (int ch = 0; ch < c; ch++) {
                    s += (g.codes()[ch * cells + i] - mean[ch]) * loading[ch];
                }
                out[comp][i] = (float) s;
            }
        }
        return out;
    }
}
