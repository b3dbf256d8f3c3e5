package org.nic.training.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Linear probe: multinomial logistic regression (Tribuo, AdaGrad SGD) on frozen, standardised codes,
 * trained on one split and scored (accuracy) on another.
 */
public final class LinearProbe {

    private LinearProbe() {
    }

    /**
     * @param trainCodes codes of the training split
     * @param trainLabels their classes
     * @param testCodes codes of the scoring split
     * @param testLabels their classes
     * @return accuracy on the scoring split
     */
    public static double accuracy(float[][] trainCodes, int[] trainLabels, float[][] testCodes, int[] testLabels, long seed) {
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
        String[] names = new String[d];
        for (int j = 0; j < d; j++) {
            names[j] = String.format("f%03d", j);
        }
        LabelFactory factory = new LabelFactory();
        List<Example<Label>> train = new ArrayList<>();
        for (int i = 0; i < trainCodes.length; i++) {
            train.add(example(trainCodes[i], trainLabels[i], names, mean, sd));
        }
        MutableDataset<Label> dataset = new MutableDataset<>(new ListDataSource<>(train,
                factory, new SimpleDataSourceProvenance("frozen codes", factory)));
        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), 30,
                Math.max(1, trainCodes.length), 1, seed);
        Model<Label> model = trainer.train(dataset);
        int correct = 0;
        for (int i = 0; i < testCodes.length; i++) {
            Label predicted = model.predict(example(testCodes[i], testLabels[i], names, mean, sd)).getOutput();
            correct += predicted.getLabel().equals(String.valueOf(testLabels[i])) ? 1 : 0;
        }
        return (double) correct / testCodes.length;
    }

    /**
     * Mean accuracy over {@code draws} probes each trained on {@code perClass} random training examples of
     * every class.
     */
    public static double fewLabelAccuracy(float[][] trainCodes, int[] trainLabels, float[][] testCodes, int[] testLabels,
                                          int perClass, int draws, long seed) {
        int classes = java.util.Arrays.stream(trainLabels).max().orElse(0) + 1;
        double sum = 0;
        Random random = new Random(seed);
        for (int draw = 0; draw < draws; draw++) {
            List<Integer> chosen = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                List<Integer> ofClass = new ArrayList<>();
                for (int i = 0; i < trainLabels.length; i++) {
                    if (trainLabels[i] == c) {
                        ofClass.add(i);
                    }
                }
                java.util.Collections.shuffle(ofClass, random);
                chosen.addAll(ofClass.subList(0, Math.min(perClass, ofClass.size())));
            }
            float[][] codes = new float[chosen.size()][];
            int[] labels = new int[chosen.size()];
            for (int k = 0; k < chosen.size(); k++) {
                codes[k] = trainCodes[chosen.get(k)];
                labels[k] = trainLabels[chosen.get(k)];
            }
            sum += accuracy(codes, labels, testCodes, testLabels, seed + draw);
        }
        return sum / draws;
    }

    private static Example<Label> example(float[] code, int label, String[] names, double[] mean, double[] sd) {
        double[] v = new double[code.length];
        for (int j = 0; j < code.length; j++) {
            v[j] = (code[j] - mean[j]) / sd[j];
        }
        return new ArrayExample<>(new Label(String.valueOf(label)), names, v);
    }
}
