package org.nic.cohort;

import java.util.List;
import org.nic.grid.CompressedGrid;

/**
 * Statistics of a compressed grid that need no training: the two baselines the trained heads are measured
 * against. The mean code over tissue cells (a bag of codes: composition, no arrangement), and the spatial
 * autocorrelation (Moran's I, 4-neighbours between tissue cells) of the grid's first principal component
 * over its tissue cells (arrangement, no learning).
 */
public final class GridStatistics {

    private GridStatistics() {
    }

    /** Mean code over the tissue cells (zeros when there are none). */
    public static double[] meanCode(CompressedGrid g) {
        double[] mean = new double[g.channels()];
        List<int[]> cells = g.tissueCells();
        for (int[] cell : cells) {
            for (int ch = 0; ch < g.channels(); ch++) {
                mean[ch] += code(g, ch, cell[0], cell[1]);
            }
        }
        for (int ch = 0; ch < mean.length; ch++) {
            mean[ch] /= Math.max(1, cells.size());
        }
        return mean;
    }

    /**
     * Moran's I of the first principal component of the slide's own tissue-cell codes: I = (N / W) *
     * sum_ij w_ij z_i z_j / sum_i z_i^2 with w_ij = 1 for 4-neighbouring tissue cells. Near 0 for values
     * scattered at random, towards 1 where similar cells lie together.
     */
    public static double moransI(CompressedGrid g) {
        List<int[]> cells = g.tissueCells();
        int n = cells.size();
        int c = g.channels();
        if (n < 3) {
            return Double.NaN;
        }
        double[] mean = meanCode(g);
        double[][] x = new double[n][c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                x[i][ch] = code(g, ch, cells.get(i)[0], cells.get(i)[1]) - mean[ch];
            }
        }
        double[] v = firstComponent(x, c);
        double[] z = new double[n];
        double zMean = 0;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                z[i] += x[i][ch] * v[ch];
            }
            zMean += z[i] / n;
        }
        int[] index = new int[g.rows() * g.cols()];
        java.util.Arrays.fill(index, -1);
        for (int i = 0; i < n; i++) {
            index[cells.get(i)[0] * g.cols() + cells.get(i)[1]] = i;
            z[i] -= zMean;
        }
        double numerator = 0;
        double weights = 0;
        double denominator = 0;
        for (int i = 0; i < n; i++) {
            denominator += z[i] * z[i];
            int r = cells.get(i)[0];
            int col = cells.get(i)[1];
            int[][] next = {{r + 1, col}, {r, col + 1}}; // each pair once, counted twice below
            for (int[] nb : next) {
                if (nb[0] < g.rows() && nb[1] < g.cols()) {
                    int j = index[nb[0] * g.cols() + nb[1]];
                    if (j >= 0) {
                        numerator += 2 * z[i] * z[j];
                        weights += 2;
                    }
                }
            }
        }
        return weights == 0 || denominator == 0 ? Double.NaN : (n / weights) * numerator / denominator;
    }

    /** The leading principal axis of the centred rows {@code x} ({@link org.nic.stats.Pca} of x^T x). */
    static double[] firstComponent(double[][] x, int c) {
        double[][] scatter = new double[c][c];
        for (double[] row : x) {
            for (int a = 0; a < c; a++) {
                if (row[a] == 0) {
                    continue;
                }
                for (int b = 0; b < c; b++) {
                    scatter[a][b] += row[a] * row[b];
                }
            }
        }
        return org.nic.stats.Pca.axes(scatter, 1)[0];
    }

    private static double code(CompressedGrid g, int channel, int row, int col) {
        return g.codes()[(channel * g.rows() + row) * g.cols() + col];
    }
}
