package org.nic.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The slide-level metrics of NIC's three task kinds: Spearman's rank correlation (regression), ROC AUC
 * (classification; macro one-vs-rest for several classes) and Harrell's concordance index (survival).
 * Ties get their conventional half credit.
 */
public final class SlideMetrics {

    private SlideMetrics() {
    }

    /** Spearman's rho: Pearson correlation of average ranks (tied values share their mean rank). */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("need two equally long series of at least 2 values");
        }
        return pearson(ranks(x), ranks(y));
    }

    /** Area under the ROC curve: the chance a random positive scores above a random negative (ties count half). */
    public static double auc(double[] scores, boolean[] positive) {
        double concordant = 0;
        long pairs = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!positive[i]) {
                continue;
            }
            for (int j = 0; j < scores.length; j++) {
                if (positive[j]) {
                    continue;
                }
                pairs++;
                if (scores[i] > scores[j]) {
                    concordant += 1;
                } else if (scores[i] == scores[j]) {
                    concordant += 0.5;
                }
            }
        }
        if (pairs == 0) {
            throw new IllegalArgumentException("AUC needs at least one positive and one negative");
        }
        return concordant / pairs;
    }

    /**
     * Macro AUC: the mean of one-vs-rest AUCs over the classes that occur (and do not make up everything).
     *
     * @param probabilities per example, one score per class
     * @param labels class of each example
     */
    public static double macroAuc(double[][] probabilities, int[] labels) {
        int classes = probabilities[0].length;
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            boolean[] positive = new boolean[labels.length];
            int p = 0;
            for (int i = 0; i < labels.length; i++) {
                positive[i] = labels[i] == cls;
                p += positive[i] ? 1 : 0;
            }
            if (p == 0 || p == labels.length) {
                continue;
            }
            double[] scores = Arrays.stream(probabilities).mapToDouble(row -> row[cls]).toArray();
            sum += auc(scores, positive);
            counted++;
        }
        if (counted == 0) {
            throw new IllegalArgumentException("macro AUC needs two classes present");
        }
        return sum / counted;
    }

    /**
     * Harrell's C-index for risk scores (higher = earlier event). A pair is comparable when the one with the
     * shorter time had the event, or when times are equal and only one had it (the censored one outlived it);
     * it is concordant when that one has the higher risk; equal risks count half.
     */
    public static double concordanceIndex(double[] risk, double[] time, boolean[] event) {
        double concordant = 0;
        long comparable = 0;
        for (int i = 0; i < risk.length; i++) {
            if (!event[i]) {
                continue;
            }
            for (int j = 0; j < risk.length; j++) {
                if (i == j) {
                    continue;
                }
                boolean pair = time[i] < time[j] || (time[i] == time[j] && !event[j]);
                if (!pair) {
                    continue;
                }
                comparable++;
                if (risk[i] > risk[j]) {
                    concordant += 1;
                } else if (risk[i] == risk[j]) {
                    concordant += 0.5;
                }
            }
        }
        if (comparable == 0) {
            throw new IllegalArgumentException("C-index needs at least one comparable pair");
        }
        return concordant / comparable;
    }

    static double[] ranks(double[] v) {
        Integer[] order = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] ranks = new double[v.length];
        int i = 0;
        while (i < v.length) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = mean;
            }
            i = j + 1;
        }
        return ranks;
    }

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0 || syy == 0) {
            return 0;
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
