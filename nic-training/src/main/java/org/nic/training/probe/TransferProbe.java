package org.nic.training.probe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * How well frozen codes carry a labelled dataset's classes: linear probes ({@link LinearProbe}) in
 * group-aware k-fold cross-validation (a group, e.g. a source slide or a set of near-duplicates, is never
 * split between training and scoring), with all training labels and with k labels per class (several
 * random draws per fold). Reports the mean accuracy and its spread.
 */
public final class TransferProbe {

    private TransferProbe() {
    }

    /**
     * A score and its spread.
     *
     * @param mean out-of-fold accuracy: every example scored once, by a probe that never saw its group,
     *     pooled over folds (mean over draws for the few-label columns)
     * @param sd standard deviation of the per-fold accuracies (all labels) or of the pooled accuracies of
     *     the draws (k per class)
     * @param runs folds (all labels) or draws (k per class)
     */
    public record Score(double mean, double sd, int runs) { }

    /**
     * @param codes one code per example
     * @param labels class per example
     * @param groups group per example
     * @param folds number of folds (at most the number of groups)
     * @param perClass labels per class for the few-label columns (e.g. 5, 20); 0 stands for all labels
     * @param draws random draws of the few-label columns
     * @param seed seed of the draws
     * @return {@code all}, {@code k5}, {@code k20}... in the order of {@code perClass}
     */
    public static Map<String, Score> evaluate(float[][] codes, int[] labels, String[] groups, int folds, int[] perClass,
                                              int draws, long seed) {
        int[] fold = assignFolds(groups, folds);
        int k = java.util.Arrays.stream(fold).max().orElse(0) + 1;
        Map<String, Score> out = new LinkedHashMap<>();
        for (int per : perClass) {
            if (per <= 0) {
                List<Double> perFold = new ArrayList<>();
                int correct = 0;
                for (int f = 0; f < k; f++) {
                    int[] hits = foldHits(codes, labels, fold, f, null);
                    perFold.add((double) hits[0] / hits[1]);
                    correct += hits[0];
                }
                double sd = score(perFold).sd();
                out.put("all", new Score((double) correct / labels.length, sd, k));
            } else {
                List<Double> pooled = new ArrayList<>();
                for (int d = 0; d < draws; d++) {
                    Random random = new Random(seed * 1_000_003L + d * 7919L + per);
                    int correct = 0;
                    for (int f = 0; f < k; f++) {
                        correct += foldHits(codes, labels, fold, f, new int[] {per}, random)[0];
                    }
                    pooled.add((double) correct / labels.length);
                }
                Score s = score(pooled);
                out.put("k" + per, new Score(s.mean(), s.sd(), draws));
            }
        }
        return out;
    }

    /** {correct, scored} on fold f of a probe trained on the other folds (on k per class of them if given). */
    private static int[] foldHits(float[][] codes, int[] labels, int[] fold, int f, int[] perClass, Random... random) {
        int[] train = indices(fold, f, false);
        int[] test = indices(fold, f, true);
        float[][] trainX = LinearProbe.select(codes, train);
        int[] trainY = LinearProbe.select(labels, train);
        if (perClass != null) {
            int[] chosen = LinearProbe.sample(trainY, perClass[0], random[0]);
            trainX = LinearProbe.select(trainX, chosen);
            trainY = LinearProbe.select(trainY, chosen);
        }
        int[] predicted = LinearProbe.fitPredict(trainX, trainY, LinearProbe.select(codes, test));
        int correct = 0;
        for (int i = 0; i < test.length; i++) {
            correct += predicted[i] == labels[test[i]] ? 1 : 0;
        }
        return new int[] {correct, test.length};
    }

    /**
     * Whole groups to folds, balanced by size: largest group first, each to the fold with the fewest
     * examples so far (ties by fold index). Deterministic; never splits a group.
     */
    static int[] assignFolds(String[] groups, int folds) {
        Map<String, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < groups.length; i++) {
            members.computeIfAbsent(groups[i], g -> new ArrayList<>()).add(i);
        }
        int k = Math.max(2, Math.min(folds, members.size()));
        if (members.size() < 2) {
            throw new IllegalArgumentException("cross-validation needs at least two groups, found " + members.size());
        }
        List<Map.Entry<String, List<Integer>>> order = new ArrayList<>(members.entrySet());
        order.sort(Comparator.<Map.Entry<String, List<Integer>>>comparingInt(e -> e.getValue().size()).reversed()
                .thenComparing(Map.Entry::getKey));
        long[] sizes = new long[k];
        int[] fold = new int[groups.length];
        for (var group : order) {
            int smallest = 0;
            for (int f = 1; f < k; f++) {
                if (sizes[f] < sizes[smallest]) {
                    smallest = f;
                }
            }
            for (int i : group.getValue()) {
                fold[i] = smallest;
            }
            sizes[smallest] += group.getValue().size();
        }
        return fold;
    }

    private static int[] indices(int[] fold, int f, boolean inFold) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < fold.length; i++) {
            if ((fold[i] == f) == inFold) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static Score score(List<Double> runs) {
        double mean = runs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = runs.stream().mapToDouble(r -> (r - mean) * (r - mean)).sum() / Math.max(1, runs.size() - 1);
        return new Score(mean, Math.sqrt(var), runs.size());
    }
}
