package org.nic.cohort;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.grid.CompressedGrid;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.training.head.HeadLabel;
import org.nic.training.head.HeadTrainer;
import org.nic.training.metrics.SlideMetrics;

/**
 * The paper-style table for one encoder's grids of a cohort: each head type trained on the training slides
 * and each baseline fitted there, all scored on the test slides with a bootstrap 95% interval.
 * <ul>
 *   <li>gigapixel CNN and gated attention heads ({@link HeadTrainer}, the trainer service's own);</li>
 *   <li>bag of codes: mean tissue code + a linear model ({@link BagOfCodes}), blind to arrangement;</li>
 *   <li>Moran's I of each slide's first principal component ({@link GridStatistics}), growth pattern only,
 *       its direction taken from the training slides: arrangement without learning.</li>
 * </ul>
 */
public final class CohortEvaluation {

    /**
     * @param crop head crop edge in cells (capped at the grid)
     * @param epochs head training epochs
     * @param batchSize crops per step
     * @param learningRate heads' learning rate
     * @param crops crops averaged per slide at prediction
     * @param seed seed of training and of the bootstrap
     * @param resamples bootstrap resamples
     * @param minSteps fewest optimiser steps of a head
     * @param heads head types to train
     * @param tasks the tasks whose heads are trained (baselines are cheap and always fitted)
     * @param meanCode whether the gigapixel CNN's output reads the standardised mean tissue code
     * @param slideNorm whether the gigapixel CNN's arrangement branch reads slide-standardised codes
     */
    public record Settings(int crop, int epochs, int batchSize, float learningRate, int crops, long seed, int resamples,
                           int minSteps, List<HeadTrainer.Type> heads, java.util.Set<CohortTask> tasks, boolean meanCode,
                           boolean slideNorm) {

        public Settings(int crop, int epochs, int batchSize, float learningRate, int crops, long seed, int resamples,
                        int minSteps, List<HeadTrainer.Type> heads, java.util.Set<CohortTask> tasks) {
            this(crop, epochs, batchSize, learningRate, crops, seed, resamples, minSteps, heads, tasks, true,
                    HeadTrainer.SLIDE_NORM);
        }

        public Settings(int crop, int epochs, int batchSize, float learningRate, int crops, long seed, int resamples,
                        int minSteps, List<HeadTrainer.Type> heads) {
            this(crop, epochs, batchSize, learningRate, crops, seed, resamples, minSteps, heads,
                    java.util.EnumSet.allOf(CohortTask.class));
        }
    }

    /** One row: a method on one encoder's grids, its metric per task (null where it does not apply). */
    public record Row(String encoder, String method, Map<CohortTask, Bootstrap.Interval> metrics) { }

    private CohortEvaluation() {
    }

    public static List<Row> evaluate(String encoder, List<CohortGenerator.Slide> train, List<CompressedGrid> trainGrids,
                                     List<CohortGenerator.Slide> test, List<CompressedGrid> testGrids, Settings s,
                                     PrintStream log) {
        List<Row> rows = new ArrayList<>();
        for (HeadTrainer.Type type : s.heads()) {
            Map<CohortTask, Bootstrap.Interval> metrics = new LinkedHashMap<>();
            for (CohortTask task : s.tasks()) {
                long t0 = System.nanoTime();
                HeadTrainer.Result head = HeadTrainer.train(trainGrids, headLabels(task, train),
                        new HeadTrainer.Settings(task.kind(), task.classes().size(), s.crop(), s.epochs(), s.batchSize(),
                                s.learningRate(), s.seed()).withType(type).withMinSteps(s.minSteps())
                                .withMeanCode(s.meanCode()).withSlideNorm(s.slideNorm()));
                double[] scores = new double[testGrids.size()];
                try (OnnxHead onnx = new OnnxHead(head.onnx())) {
                    for (int i = 0; i < scores.length; i++) {
                        scores[i] = onnx.predict(testGrids.get(i), head.crop(), s.crops())[0];
                    }
                }
                metrics.put(task, interval(task, scores, test, s));
                log.printf("[evaluate] %s, %s head, %s: %s (%.0f s)%n", encoder, name(type), task.task(), metrics.get(task),
                        (System.nanoTime() - t0) / 1e9);
            }
            rows.add(new Row(encoder, name(type) + " head", metrics));
        }
        List<double[]> trainMeans = trainGrids.stream().map(GridStatistics::meanCode).toList();
        List<double[]> testMeans = testGrids.stream().map(GridStatistics::meanCode).toList();
        Map<CohortTask, Bootstrap.Interval> bag = new LinkedHashMap<>();
        bag.put(CohortTask.TUMOUR_FRACTION, interval(CohortTask.TUMOUR_FRACTION, BagOfCodes.regression(trainMeans,
                train.stream().mapToDouble(CohortGenerator.Slide::tumourFraction).toArray(), testMeans), test, s));
        bag.put(CohortTask.GROWTH_PATTERN, interval(CohortTask.GROWTH_PATTERN, BagOfCodes.classification(trainMeans,
                train.stream().mapToInt(x -> x.pattern() == SlideLayout.Pattern.SCATTERED ? 1 : 0).toArray(), testMeans), test, s));
        bag.put(CohortTask.OVERALL_SURVIVAL, interval(CohortTask.OVERALL_SURVIVAL, BagOfCodes.survival(trainMeans,
                train.stream().mapToDouble(CohortGenerator.Slide::time).toArray(), events(train), testMeans), test, s));
        rows.add(new Row(encoder, "bag of codes (mean code + linear)", bag));
        log.printf("[evaluate] %s, bag of codes: %s%n", encoder, bag);

        // Moran's I: compact tumour gives high autocorrelation; the sign is whatever separates the training slides.
        double[] trainI = trainGrids.stream().mapToDouble(GridStatistics::moransI).toArray();
        double trainAuc = SlideMetrics.auc(trainI, scattered(train));
        double sign = trainAuc >= 0.5 ? 1 : -1;
        double[] testI = testGrids.stream().mapToDouble(g -> sign * GridStatistics.moransI(g)).toArray();
        Map<CohortTask, Bootstrap.Interval> moran = new LinkedHashMap<>();
        moran.put(CohortTask.GROWTH_PATTERN, interval(CohortTask.GROWTH_PATTERN, testI, test, s));
        rows.add(new Row(encoder, "Moran's I of PC1 (no training)", moran));
        log.printf("[evaluate] %s, Moran's I: %s%n", encoder, moran);
        return rows;
    }

    /** The C-index of the true log-hazard on the test slides: the best any model can do. */
    public static Bootstrap.Interval trueHazard(List<CohortGenerator.Slide> test, Settings s) {
        return interval(CohortTask.OVERALL_SURVIVAL, test.stream().mapToDouble(CohortGenerator.Slide::logHazard).toArray(), test, s);
    }

    /** The task's metric of per-slide scores on the test slides, with its bootstrap interval. */
    public static Bootstrap.Interval interval(CohortTask task, double[] scores, List<CohortGenerator.Slide> test, Settings s) {
        return Bootstrap.of(test.size(), sample -> metric(task, scores, test, sample), s.resamples(), s.seed());
    }

    static double metric(CohortTask task, double[] scores, List<CohortGenerator.Slide> test, int[] sample) {
        int n = sample.length;
        double[] p = new double[n];
        for (int k = 0; k < n; k++) {
            p[k] = scores[sample[k]];
        }
        try {
            return switch (task) {
                case TUMOUR_FRACTION -> {
                    double[] y = new double[n];
                    for (int k = 0; k < n; k++) {
                        y[k] = test.get(sample[k]).tumourFraction();
                    }
                    yield SlideMetrics.spearman(p, y);
                }
                case GROWTH_PATTERN -> {
                    boolean[] positive = new boolean[n];
                    for (int k = 0; k < n; k++) {
                        positive[k] = test.get(sample[k]).pattern() == SlideLayout.Pattern.SCATTERED;
                    }
                    yield SlideMetrics.auc(p, positive);
                }
                case OVERALL_SURVIVAL -> {
                    double[] time = new double[n];
                    boolean[] event = new boolean[n];
                    for (int k = 0; k < n; k++) {
                        time[k] = test.get(sample[k]).time();
                        event[k] = test.get(sample[k]).event();
                    }
                    yield SlideMetrics.concordanceIndex(p, time, event);
                }
            };
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    static List<HeadLabel> headLabels(CohortTask task, List<CohortGenerator.Slide> slides) {
        List<HeadLabel> out = new ArrayList<>();
        for (CohortGenerator.Slide x : slides) {
            out.add(switch (task) {
                case TUMOUR_FRACTION -> HeadLabel.regression(x.tumourFraction());
                case GROWTH_PATTERN -> HeadLabel.classification(x.pattern() == SlideLayout.Pattern.SCATTERED ? 1 : 0);
                case OVERALL_SURVIVAL -> HeadLabel.survival(x.time(), x.event());
            });
        }
        return out;
    }

    private static boolean[] scattered(List<CohortGenerator.Slide> slides) {
        boolean[] out = new boolean[slides.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = slides.get(i).pattern() == SlideLayout.Pattern.SCATTERED;
        }
        return out;
    }

    private static boolean[] events(List<CohortGenerator.Slide> slides) {
        boolean[] out = new boolean[slides.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = slides.get(i).event();
        }
        return out;
    }

    private static String name(HeadTrainer.Type type) {
        return type == HeadTrainer.Type.GIGAPIXEL ? "gigapixel CNN" : "attention";
    }

    static boolean isSurvival(TaskKind kind) {
        return kind == TaskKind.SURVIVAL;
    }
}
