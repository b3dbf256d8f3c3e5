package org.nic.cohort;

import java.util.List;
import org.nic.training.probe.LinearProbe;

/**
 * The bag-of-codes baseline: each slide reduced to its mean tissue code (composition, no arrangement), then
 * a linear model per task kind on standardised features: ridge regression, L2 logistic regression (LIBLINEAR),
 * or a ridge-penalised Cox model fitted by Newton steps.
 */
public final class BagOfCodes {

    /** Ridge strength on standardised features. */
    static final double RIDGE = 10;

    private BagOfCodes() {
    }

    /** Predicted values for the test slides of a ridge regression on the training slides. */
    public static double[] regression(List<double[]> train, double[] y, List<double[]> test) {
        Standardised s = new Standardised(train);
        double[][] x = s.apply(train);
        double yMean = java.util.Arrays.stream(y).average().orElse(0);
        int d = x[0].length;
        double[][] a = new double[d][d + 1];
        for (int i = 0; i < x.length; i++) {
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    a[p][q] += x[i][p] * x[i][q];
                }
                a[p][d] += x[i][p] * (y[i] - yMean);
            }
        }
        for (int p = 0; p < d; p++) {
            a[p][p] += RIDGE;
        }
        double[] w = solve(a, d);
        double[][] t = s.apply(test);
        double[] out = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = yMean + dot(w, t[i]);
        }
        return out;
    }

    /** Probability of class 1 for the test slides (binary classification). */
    public static double[] classification(List<double[]> train, int[] labels, List<double[]> test) {
        double[][] p = LinearProbe.fitProbabilities(floats(train), labels, floats(test));
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i][1];
        }
        return out;
    }

    /** Class probabilities of the test slides (any number of classes), in class order. */
    public static double[][] probabilities(List<double[]> train, int[] labels, List<double[]> test) {
        return LinearProbe.fitProbabilities(floats(train), labels, floats(test));
    }

    /** Log-risk of the test slides from a ridge Cox model (Breslow ties) on the training slides. */
    public static double[] survival(List<double[]> train, double[] time, boolean[] event, List<double[]> test) {
        Standardised s = new Standardised(train);
        double[][] x = s.apply(train);
        int n = x.length;
        int d = x[0].length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(time[b], time[a])); // longest first: risk sets grow
        double[] w = new double[d];
        for (int iteration = 0; iteration < 30; iteration++) {
            double[] grad = new double[d];
            double[][] hess = new double[d][d + 1];
            double s0 = 0;
            double[] s1 = new double[d];
            double[][] s2 = new double[d][d];
            for (int k = 0; k < n; k++) {
                int i = order[k];
                double e = Math.exp(Math.min(50, dot(w, x[i])));
                s0 += e;
                for (int p = 0; p < d; p++) {
                    s1[p] += e * x[i][p];
                    for (int q = 0; q < d; q++) {
                        s2[p][q] += e * x[i][p] * x[i][q];
                    }
                }
                if (event[i]) {
                    for (int p = 0; p < d; p++) {
                        grad[p] += x[i][p] - s1[p] / s0;
                        for (int q = 0; q < d; q++) {
                            hess[p][q] += s2[p][q] / s0 - (s1[p] / s0) * (s1[q] / s0);
                        }
                    }
                }
            }
            double change = 0;
            for (int p = 0; p < d; p++) {
                grad[p] -= RIDGE * w[p];
                hess[p][p] += RIDGE;
                hess[p][d] = grad[p];
            }
            double[] step = solve(hess, d);
            for (int p = 0; p < d; p++) {
                w[p] += step[p];
                change += Math.abs(step[p]);
            }
            if (change < 1e-8) {
                break;
            }
        }
        double[][] t = s.apply(test);
        double[] out = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = dot(w, t[i]);
        }
        return out;
    }

    /** Solves the augmented system a (d x d+1) by Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] a, int d) {
        for (int c = 0; c < d; c++) {
            int pivot = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            double[] tmp = a[c];
            a[c] = a[pivot];
            a[pivot] = tmp;
            for (int r = c + 1; r < d; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= d; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        double[] x = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double v = a[r][d];
            for (int k = r + 1; k < d; k++) {
                v -= a[r][k] * x[k];
            }
            x[r] = v / a[r][r];
        }
        return x;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static float[][] floats(List<double[]> rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            double[] r = rows.get(i);
            out[i] = new float[r.length];
            for (int j = 0; j < r.length; j++) {
                out[i][j] = (float) r[j];
            }
        }
        return out;
    }

    /** Standardisation with the training slides' mean and deviation. */
    private static final class Standardised {
        private final double[] mean;
        private final double[] sd;

        Standardised(List<double[]> train) {
            int d = train.get(0).length;
            mean = new double[d];
            sd = new double[d];
            for (double[] r : train) {
                for (int j = 0; j < d; j++) {
                    mean[j] += r[j] / train.size();
                }
            }
            for (double[] r : train) {
                for (int j = 0; j < d; j++) {
                    sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / train.size();
                }
            }
            for (int j = 0; j < d; j++) {
                sd[j] = Math.sqrt(sd[j]) + 1e-9;
            }
        }

        double[][] apply(List<double[]> rows) {
            double[][] out = new double[rows.size()][mean.length];
            for (int i = 0; i < rows.size(); i++) {
                for (int j = 0; j < mean.length; j++) {
                    out[i][j] = (rows.get(i)[j] - mean[j]) / sd[j];
                }
            }
            return out;
        }
    }
}
