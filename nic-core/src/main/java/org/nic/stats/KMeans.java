package org.nic.stats;

import java.util.List;
import java.util.Random;

/** Lloyd's k-means with k-means++ seeding, for starting a head's cell types from the data (and cohort statistics). */
public final class KMeans {

    private KMeans() {
    }

    public static float[][] cluster(List<float[]> points, int k, int iterations, Random random) {
        int d = points.get(0).length;
        float[][] centres = new float[k][];
        centres[0] = points.get(random.nextInt(points.size())).clone();
        double[] nearest = new double[points.size()];
        java.util.Arrays.fill(nearest, Double.MAX_VALUE);
        for (int j = 1; j < k; j++) {
            double sum = 0;
            for (int i = 0; i < points.size(); i++) {
                nearest[i] = Math.min(nearest[i], distance(points.get(i), centres[j - 1]));
                sum += nearest[i];
            }
            double pick = random.nextDouble() * sum;
            int chosen = points.size() - 1;
            for (int i = 0; i < points.size(); i++) {
                pick -= nearest[i];
                if (pick <= 0) {
                    chosen = i;
                    break;
                }
            }
            centres[j] = points.get(chosen).clone();
        }
        int[] assignment = new int[points.size()];
        for (int it = 0; it < iterations; it++) {
            boolean changed = false;
            for (int i = 0; i < points.size(); i++) {
                int best = nearestCentre(points.get(i), centres);
                changed |= best != assignment[i];
                assignment[i] = best;
            }
            double[][] sums = new double[k][d];
            int[] counts = new int[k];
            for (int i = 0; i < points.size(); i++) {
                counts[assignment[i]]++;
                for (int c = 0; c < d; c++) {
                    sums[assignment[i]][c] += points.get(i)[c];
                }
            }
            for (int j = 0; j < k; j++) {
                if (counts[j] == 0) {
                    continue; // an empty cluster keeps its centre
                }
                for (int c = 0; c < d; c++) {
                    centres[j][c] = (float) (sums[j][c] / counts[j]);
                }
            }
            if (!changed && it > 0) {
                break;
            }
        }
        return centres;
    }

    public static double meanNearestSquaredDistance(List<float[]> points, float[][] centres) {
        double sum = 0;
        for (float[] p : points) {
            sum += distance(p, centres[nearestCentre(p, centres)]);
        }
        return Math.max(1e-6, sum / points.size());
    }

    /** The index of the centre nearest to {@code p}. */
    public static int nearest(float[] p, float[][] centres) {
        return nearestCentre(p, centres);
    }

    static int nearestCentre(float[] p, float[][] centres) {
        int best = 0;
        double bestDistance = Double.MAX_VALUE;
        for (int j = 0; j < centres.length; j++) {
            double dist = distance(p, centres[j]);
            if (dist < bestDistance) {
                bestDistance = dist;
                best = j;
            }
        }
        return best;
    }

    public static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }
}
