package org.nic.training.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.grid.CompressedGrid;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.stats.SlideMetrics;

/**
 * Heads learn all three task kinds from small synthetic grids whose labels come from a known signal
 * (the mean of channel 0 over tissue), and their ONNX exports score held-out slides above chance.
 */
class HeadTrainerTest {

    static final int CHANNELS = 8;

    record Cohort(List<CompressedGrid> grids, double[] signal) { }

    static Cohort cohort(int n, long seed) {
        Random r = new Random(seed);
        List<CompressedGrid> grids = new ArrayList<>();
        double[] signal = new double[n];
        for (int s = 0; s < n; s++) {
            int rows = 12 + r.nextInt(8);
            int cols = 12 + r.nextInt(8);
            float[] codes = new float[CHANNELS * rows * cols];
            boolean[] tissue = new boolean[rows * cols];
            signal[s] = r.nextGaussian();
            for (int y = 2; y < rows - 2; y++) {
                for (int x = 2; x < cols - 2; x++) {
                    tissue[y * cols + x] = true;
                    for (int c = 0; c < CHANNELS; c++) {
                        float noise = (float) r.nextGaussian() * 0.5f;
                        codes[(c * rows + y) * cols + x] = c == 0 ? (float) signal[s] + noise : noise;
                    }
                }
            }
            grids.add(new CompressedGrid("s" + s, CHANNELS, rows, cols, codes, tissue));
        }
        return new Cohort(grids, signal);
    }

    static HeadTrainer.Settings settings(TaskKind kind, int classes) {
        return new HeadTrainer.Settings(kind, classes, 16, 12, 8, 3e-3f, 11);
    }

    @Test
    void regressionHeadRanksHeldOutSlides() {
        Cohort train = cohort(48, 1);
        Cohort test = cohort(24, 2);
        List<HeadLabel> labels = new ArrayList<>();
        for (double v : train.signal()) {
            labels.add(HeadLabel.regression(10 + 3 * v)); // label units, not standardised
        }
        HeadTrainer.Result result = HeadTrainer.train(train.grids(), labels, settings(TaskKind.REGRESSION, 0));
        assertThat(result.epochLosses().get(result.epochLosses().size() - 1)).isLessThan(result.epochLosses().get(0));
        double[] predicted = predict(result, test.grids(), 0);
        assertThat(SlideMetrics.spearman(predicted, test.signal())).as("Spearman on held-out slides").isGreaterThan(0.6);
        // Outputs are in the label's units (10 + 3 * signal), not standardised.
        double meanPrediction = java.util.Arrays.stream(predicted).average().orElse(0);
        assertThat(meanPrediction).isBetween(7.0, 13.0);
    }

    @Test
    void attentionHeadLearnsTheSignalToo() {
        Cohort train = cohort(48, 7);
        Cohort test = cohort(24, 8);
        List<HeadLabel> labels = new ArrayList<>();
        for (double v : train.signal()) {
            labels.add(HeadLabel.regression(v));
        }
        HeadTrainer.Result result = HeadTrainer.train(train.grids(), labels,
                settings(TaskKind.REGRESSION, 0).withType(HeadTrainer.Type.ATTENTION));
        assertThat(result.type()).isEqualTo(HeadTrainer.Type.ATTENTION);
        assertThat(SlideMetrics.spearman(predict(result, test.grids(), 0), test.signal())).isGreaterThan(0.6);
    }

    @Test
    void binaryClassificationHeadSeparatesHeldOutSlides() {
        Cohort train = cohort(48, 3);
        Cohort test = cohort(24, 4);
        List<HeadLabel> labels = new ArrayList<>();
        for (double v : train.signal()) {
            labels.add(HeadLabel.classification(v > 0 ? 1 : 0));
        }
        HeadTrainer.Result result = HeadTrainer.train(train.grids(), labels, settings(TaskKind.CLASSIFICATION, 2));
        double[] p = predict(result, test.grids(), 0);
        boolean[] positive = new boolean[p.length];
        for (int i = 0; i < p.length; i++) {
            positive[i] = test.signal()[i] > 0;
            assertThat(p[i]).isBetween(0.0, 1.0); // sigmoid probabilities
        }
        assertThat(SlideMetrics.auc(p, positive)).as("AUC on held-out slides").isGreaterThan(0.8);
    }

    @Test
    void survivalHeadOrdersHeldOutSlidesByRisk() {
        Cohort train = cohort(48, 5);
        Cohort test = cohort(24, 6);
        Random r = new Random(9);
        List<HeadLabel> labels = new ArrayList<>();
        for (double v : train.signal()) {
            // Higher signal, earlier event; a quarter censored early.
            double time = Math.exp(-v) * (0.8 + 0.4 * r.nextDouble());
            boolean event = r.nextDouble() > 0.25;
            labels.add(HeadLabel.survival(event ? time : time * 0.7, event));
        }
        HeadTrainer.Result result = HeadTrainer.train(train.grids(), labels, settings(TaskKind.SURVIVAL, 0));
        double[] risk = predict(result, test.grids(), 0);
        double[] time = new double[risk.length];
        boolean[] event = new boolean[risk.length];
        for (int i = 0; i < risk.length; i++) {
            time[i] = Math.exp(-test.signal()[i]);
            event[i] = true;
        }
        assertThat(SlideMetrics.concordanceIndex(risk, time, event)).as("C-index on held-out slides").isGreaterThan(0.7);
    }

    @Test
    void aLastBatchOfOneSlideJoinsTheBatchBeforeIt() {
        assertThat(HeadTrainer.batchSizes(16, 8)).containsExactly(8, 8);
        assertThat(HeadTrainer.batchSizes(9, 8)).containsExactly(9);
        assertThat(HeadTrainer.batchSizes(17, 8)).containsExactly(8, 9);
        assertThat(HeadTrainer.batchSizes(10, 8)).containsExactly(8, 2);
        assertThat(HeadTrainer.batchSizes(5, 8)).containsExactly(5);
        assertThat(HeadTrainer.batchSizes(1, 8)).containsExactly(1);
    }

    /** 9 slides in batches of 8 once left one slide alone in a batch: batch normalisation threw and no head came. */
    @Test
    void aCohortOneSlideOverTheBatchSizeTrains() {
        Cohort train = cohort(9, 13);
        List<HeadLabel> labels = new ArrayList<>();
        for (double v : train.signal()) {
            labels.add(HeadLabel.regression(v));
        }
        HeadTrainer.Result result = HeadTrainer.train(train.grids(), labels,
                new HeadTrainer.Settings(TaskKind.REGRESSION, 0, 16, 2, 8, 3e-3f, 11));
        assertThat(result.epochLosses()).hasSize(2).allMatch(l -> Double.isFinite(l));
        assertThat(java.util.Arrays.stream(predict(result, train.grids(), 0)).allMatch(Double::isFinite)).isTrue();
    }

    static double[] predict(HeadTrainer.Result result, List<CompressedGrid> grids, int output) {
        double[] out = new double[grids.size()];
        try (OnnxHead head = new OnnxHead(result.onnx())) {
            for (int i = 0; i < grids.size(); i++) {
                out[i] = head.predict(grids.get(i), result.crop(), 4)[output];
            }
        }
        return out;
    }
}
