package org.nic.stats;

import java.util.Arrays;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;

/**
 * Principal axes of a symmetric scatter (or covariance) matrix, by commons-math3's eigen-decomposition: the one PCA of
 * NIC's statistics (the dashboard's code colours, the cohort's Moran's I of the first component). Each axis is signed
 * so that its largest loading is positive, so the same codes always give the same axes.
 */
public final class Pca {

    private Pca() {
    }

    /**
     * @param scatter a symmetric c x c matrix (a covariance or a sum of outer products of centred rows)
     * @param k       how many axes
     * @return {@code k} unit axes of length c, largest eigenvalue first; an axis the matrix does not have (fewer than
     *         {@code k} dimensions, or an eigenvalue of 1e-12 or less: no spread along it) is all zero
     */
    public static double[][] axes(double[][] scatter, int k) {
        int c = scatter.length;
        double[][] out = new double[k][c];
        if (c == 0) {
            return out;
        }
        EigenDecomposition eig = new EigenDecomposition(MatrixUtils.createRealMatrix(scatter));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[c];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        for (int comp = 0; comp < Math.min(k, c); comp++) {
            if (values[order[comp]] <= 1e-12) {
                continue;
            }
            double[] axis = eig.getEigenvector(order[comp]).toArray();
            int largest = 0;
            for (int ch = 1; ch < c; ch++) {
                if (Math.abs(axis[ch]) > Math.abs(axis[largest])) {
                    largest = ch;
                }
            }
            double sign = axis[largest] < 0 ? -1 : 1;
            for (int ch = 0; ch < c; ch++) {
                out[comp][ch] = sign * axis[ch];
            }
        }
        return out;
    }
}
