package org.nic.training.probe;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Linear probe: L2-regularised logistic regression (LIBLINEAR, one-vs-rest, C = 1, trust-region Newton
 * solved to 1e-4) on frozen codes standardised with the training split's mean and deviation. Solved to
 * convergence and deterministic, so that a difference between two encoders is a difference between their
 * codes, not between two optimiser runs.
 */
public final class LinearProbe {

    /** Inverse regularisation strength, as scikit-learn's default. */
    public static final double C = 1.0;

    static {
        Linear.disableDebugOutput();
    }

    private LinearProbe() {
    }

    /** Classes predicted for {@code testCodes} by a probe trained on the training split. */
    public static int[] fitPredict(float[][] trainCodes, int[] trainLabels, float[][] testCodes) {
        int d = trainCodes[0].length;
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (float[] c : trainCodes) {
            for (int j = 0; j < d; j++) {
                mean[j] += c[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= trainCodes.length;
        }
        for (float[] c : trainCodes) {
            for (int j = 0; j < d; j++) {
                sd[j] += (c[j] - mean[j]) * (c[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(sd[j] / trainCodes.length) + 1e-6;
        }
        int[] predicted = new int[testCodes.length];
        if (java.util.Arrays.stream(trainLabels).distinct().count() < 2) {
            java.util.Arrays.fill(predicted, trainLabels[0]); // one class seen: nothing to learn
            return predicted;
        }
        Problem problem = new Problem();
        problem.l = trainCodes.length;
        problem.n = d + 1;
        problem.bias = 1;
        problem.x = new Feature[trainCodes.length][];
        problem.y = new double[trainCodes.length];
        for (int i = 0; i < trainCodes.length; i++) {
            problem.x[i] = features(trainCodes[i], mean, sd);
            problem.y[i] = trainLabels[i];
        }
        Model model = Linear.train(problem, new Parameter(SolverType.L2R_LR, C, 1e-4));
        for (int i = 0; i < testCodes.length; i++) {
            predicted[i] = (int) Linear.predict(model, features(testCodes[i], mean, sd));
        }
        return predicted;
    }

    /**
     * Class probabilities (in class-index order, as many columns as the largest label + 1) for {@code testCodes}
     * from a probe trained on the training split: for the bag-of-codes baselines, whose metrics rank.
     */
    public static double[][] fitProbabilities(float[][] trainCodes, int[] trainLabels, float[][] testCodes) {
        int d = trainCodes[0].length;
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (float[] c : trainCodes) {
            for (int j = 0; j < d; j++) {
                mean[j] += c[j] / trainCodes.length;
            }
        }
        for (float[] c : trainCodes) {
            for (int j = 0; j < d; j++) {
                sd[j] += (c[j] - mean[j]) * (c[j] - mean[j]) / trainCodes.length;
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(sd[j]) + 1e-6;
        }
        Problem problem = new Problem();
        problem.l = trainCodes.length;
        problem.n = d + 1;
        problem.bias = 1;
        problem.x = new Feature[trainCodes.length][];
        problem.y = new double[trainCodes.length];
        for (int i = 0; i < trainCodes.length; i++) {
            problem.x[i] = features(trainCodes[i], mean, sd);
            problem.y[i] = trainLabels[i];
        }
        Model model = Linear.train(problem, new Parameter(SolverType.L2R_LR, C, 1e-4));
        int classes = java.util.Arrays.stream(trainLabels).max().orElse(0) + 1;
        int[] order = model.getLabels();
        double[][] out = new double[testCodes.length][classes];
        double[] p = new double[order.length];
        for (int i = 0; i < testCodes.length; i++) {
            Linear.predictProbability(model, features(testCodes[i], mean, sd), p);
            for (int k = 0; k < order.length; k++) {
                out[i][order[k]] = p[k];
            }
        }
        return out;
    }

    /** Accuracy on the scoring split of a probe trained on the training split. */
    public static double accuracy(float[][] trainCodes, int[] trainLabels, float[][] testCodes, int[] testLabels) {
        int[] predicted = fitPredict(trainCodes, trainLabels, testCodes);
        int correct = 0;
        for (int i = 0; i < testLabels.length; i++) {
            correct += predicted[i] == testLabels[i] ? 1 : 0;
        }
        return (double) correct / testLabels.length;
    }

    /**
     * Mean accuracy over {@code draws} probes, each trained on {@code perClass} random training examples of
     * every class (all of a class when it has fewer).
     */
    public static double fewLabelAccuracy(float[][] trainCodes, int[] trainLabels, float[][] testCodes, int[] testLabels,
                                          int perClass, int draws, long seed) {
        double sum = 0;
        Random random = new Random(seed);
        for (int draw = 0; draw < draws; draw++) {
            int[] chosen = sample(trainLabels, perClass, random);
            sum += accuracy(select(trainCodes, chosen), select(trainLabels, chosen), testCodes, testLabels);
        }
        return sum / draws;
    }

    /** Indices of up to {@code perClass} random examples of every class. */
    static int[] sample(int[] labels, int perClass, Random random) {
        int classes = java.util.Arrays.stream(labels).max().orElse(0) + 1;
        List<Integer> chosen = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            List<Integer> ofClass = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    ofClass.add(i);
                }
            }
            java.util.Collections.shuffle(ofClass, random);
            chosen.addAll(ofClass.subList(0, Math.min(perClass, ofClass.size())));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    static float[][] select(float[][] rows, int[] indices) {
        float[][] out = new float[indices.length][];
        for (int k = 0; k < indices.length; k++) {
            out[k] = rows[indices[k]];
        }
        return out;
    }

    static int[] select(int[] values, int[] indices) {
        int[] out = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = values[indices[k]];
        }
        return out;
    }

    /** Standardised code plus LIBLINEAR's bias feature (index d + 1, value 1), which it expects at the end. */
    private static Feature[] features(float[] code, double[] mean, double[] sd) {
        Feature[] f = new Feature[code.length + 1];
        for (int j = 0; j < code.length; j++) {
            f[j] = new FeatureNode(j + 1, (code[j] - mean[j]) / sd[j]);
        }
        f[code.length] = new FeatureNode(code.length + 1, 1.0);
        return f;
    }
}
