package org.nic.cohort;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nic.grid.CompressedGrid;

/**
 * Arrangement statistics of code clusters, with no model trained: the tissue cells' codes are put in {@code k}
 * clusters (k-means on cells sampled from the training slides: "cell types" found without labels), and each slide
 * is described by how often two clusters touch (join counts: the share of 4-neighbouring tissue-cell pairs whose
 * clusters are {a, b}) and how cohesive each cluster is (the share of its cells' tissue neighbours in the same
 * cluster). One feature is then chosen on the training slides, the one that ranks them best, with its direction:
 * a single number read off each test slide, the bar a trained head has to clear.
 */
public final class ClusterStatistics {

    private final float[][] centres;

    private ClusterStatistics(float[][] centres) {
        this.centres = centres;
    }

    /** Clusters of the training slides' tissue codes (at most {@code sample} cells, drawn with {@code seed}). */
    public static ClusterStatistics fit(List<CompressedGrid> train, int k, int sample, long seed) {
        List<float[]> points = new ArrayList<>();
        Random random = new Random(seed);
        int total = train.stream().mapToInt(g -> g.tissueCells().size()).sum();
        double keep = Math.min(1, sample / (double) Math.max(1, total));
        for (CompressedGrid g : train) {
            for (int[] cell : g.tissueCells()) {
                if (random.nextDouble() < keep) {
                    points.add(code(g, cell[0], cell[1]));
                }
            }
        }
        return new ClusterStatistics(org.nic.stats.KMeans.cluster(points, k, 30, random));
    }

    public int clusters() {
        return centres.length;
    }

    /**
     * The slide's features: k(k+1)/2 join shares (pairs a <= b, in that order), then k cohesions; NaN where a
     * cluster has no cells.
     */
    public double[] features(CompressedGrid g) {
        int k = centres.length;
        int[] label = new int[g.rows() * g.cols()];
        java.util.Arrays.fill(label, -1);
        for (int[] cell : g.tissueCells()) {
            label[cell[0] * g.cols() + cell[1]] = org.nic.stats.KMeans.nearest(code(g, cell[0], cell[1]), centres);
        }
        double[][] joins = new double[k][k];
        double pairs = 0;
        double[] same = new double[k];
        double[] all = new double[k];
        for (int r = 0; r < g.rows(); r++) {
            for (int c = 0; c < g.cols(); c++) {
                int a = label[r * g.cols() + c];
                if (a < 0) {
                    continue;
                }
                int[][] next = {{r + 1, c}, {r, c + 1}};
                for (int[] nb : next) {
                    if (nb[0] >= g.rows() || nb[1] >= g.cols()) {
                        continue;
                    }
                    int b = label[nb[0] * g.cols() + nb[1]];
                    if (b < 0) {
                        continue;
                    }
                    joins[Math.min(a, b)][Math.max(a, b)]++;
                    pairs++;
                    all[a]++;
                    all[b]++;
                    if (a == b) {
                        same[a] += 2;
                    }
                }
            }
        }
        double[] out = new double[k * (k + 1) / 2 + k];
        int f = 0;
        for (int a = 0; a < k; a++) {
            for (int b = a; b < k; b++) {
                out[f++] = pairs == 0 ? Double.NaN : joins[a][b] / pairs;
            }
        }
        for (int a = 0; a < k; a++) {
            out[f++] = all[a] == 0 ? Double.NaN : same[a] / all[a];
        }
        return out;
    }

    /** A feature's name, for the table. */
    public String name(int feature) {
        int k = centres.length;
        int f = 0;
        for (int a = 0; a < k; a++) {
            for (int b = a; b < k; b++) {
                if (f++ == feature) {
                    return "join " + a + "-" + b;
                }
            }
        }
        return "cohesion " + (feature - f);
    }

    /** Whether a feature is a join share (else a cohesion). */
    public boolean isJoin(int feature) {
        return feature < centres.length * (centres.length + 1) / 2;
    }

    private static float[] code(CompressedGrid g, int row, int col) {
        float[] v = new float[g.channels()];
        for (int ch = 0; ch < v.length; ch++) {
            v[ch] = g.codes()[(ch * g.rows() + row) * g.cols() + col];
        }
        return v;
    }
}
