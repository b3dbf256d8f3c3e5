package org.nic.cohort;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.grid.CompressedGrid;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.stats.Bootstrap;
import org.nic.stats.SlideMetrics;
import org.nic.stats.TaskMetric;
import org.nic.training.head.HeadLabel;
import org.nic.training.head.HeadTrainer;

/**
 * The paper-style table for one encoder's grids of a cohort: each head type trained on the training slides
 * and each baseline fitted there, all scored on the test slides with a bootstrap 95% interval.
 * <ul>
 *   <li>gigapixel CNN and gated attention heads ({@link HeadTrainer}, the trainer service's own);</li>
 *   <li>bag of codes: mean tissue code + a linear model ({@link BagOfCodes}), blind to arrangement;</li>
 *   <li>statistics of arrangement with no model trained, growth pattern only, their direction taken from the
 *       training slides: Moran's I of each slide's first principal component ({@link GridStatistics}), and the join
 *       count or cohesion of code clusters that best ranks the training slides ({@link ClusterStatistics}).</li>
 * </ul>
 * Growth patterns are scored as AUC of P(second class) for two classes and macro AUC over one-vs-rest for three.
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
     * @param members how many members the arrangement heads average ({@link HeadTrainer.Settings#members()})
     */
    public record Settings(int crop, int epochs, int batchSize, float learningRate, int crops, long seed, int resamples,
                           int minSteps, List<HeadTrainer.Type> heads, java.util.Set<CohortTask> tasks, boolean meanCode,
                           boolean slideNorm, int members) {

        /** The same settings with another training seed. */
        public Settings withSeed(long other) {
            return new Settings(crop, epochs, batchSize, learningRate, crops, other, resamples, minSteps, heads, tasks, meanCode,
                    slideNorm, members);
        }

        public Settings(int crop, int epochs, int batchSize, float learningRate, int crops, long seed, int resamples,
                        int minSteps, List<HeadTrainer.Type> heads, java.util.Set<CohortTask> tasks, boolean meanCode,
                        boolean slideNorm) {
            this(crop, epochs, batchSize, learningRate, crops, seed, resamples, minSteps, heads, tasks, meanCode, slideNorm,
                    HeadTrainer.MEMBERS);
        }

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
        List<Row> rows = heads(encoder, train, trainGrids, test, testGrids, s, log, "");
        rows.addAll(baselines(encoder, train, trainGrids, test, testGrids, s, log));
        return rows;
    }

    /** One row per head type, trained with the settings' seed; {@code suffix} is added to the method's name. */
    public static List<Row> heads(String encoder, List<CohortGenerator.Slide> train, List<CompressedGrid> trainGrids,
                                  List<CohortGenerator.Slide> test, List<CompressedGrid> testGrids, Settings s,
                                  PrintStream log, String suffix) {
        CohortGenerator.Patterns family = family(train, test);
        List<Row> rows = new ArrayList<>();
        for (HeadTrainer.Type type : s.heads()) {
            Map<CohortTask, Bootstrap.Interval> metrics = new LinkedHashMap<>();
            for (CohortTask task : s.tasks()) {
                long t0 = System.nanoTime();
                HeadTrainer.Result head = HeadTrainer.train(trainGrids, headLabels(task, family, train),
                        new HeadTrainer.Settings(task.kind(), task.classes(family), s.crop(), s.epochs(), s.batchSize(),
                                s.learningRate(), s.seed()).withType(type).withMinSteps(s.minSteps())
                                .withMeanCode(s.meanCode()).withSlideNorm(s.slideNorm()).withMembers(s.members()));
                double[][] scores = new double[testGrids.size()][];
                try (OnnxHead onnx = new OnnxHead(head.onnx())) {
                    for (int i = 0; i < scores.length; i++) {
                        float[] out = onnx.predict(testGrids.get(i), head.crop(), s.crops());
                        scores[i] = new double[out.length];
                        for (int j = 0; j < out.length; j++) {
                            scores[i][j] = out[j];
                        }
                    }
                }
                metrics.put(task, interval(task, scores, test, s));
                log.printf("[evaluate] %s, %s head, %s: %s (%.0f s)%n", encoder, name(type), task.task(), metrics.get(task),
                        (System.nanoTime() - t0) / 1e9);
            }
            rows.add(new Row(encoder, name(type) + " head" + suffix, metrics));
        }
        return rows;
    }

    private static CohortGenerator.Patterns family(List<CohortGenerator.Slide> train, List<CohortGenerator.Slide> test) {
        List<CohortGenerator.Slide> all = new ArrayList<>(train);
        all.addAll(test);
        return CohortGenerator.Patterns.of(all);
    }

    /** The rows that train no head: the bag of codes and the arrangement statistics. */
    public static List<Row> baselines(String encoder, List<CohortGenerator.Slide> train, List<CompressedGrid> trainGrids,
                                      List<CohortGenerator.Slide> test, List<CompressedGrid> testGrids, Settings s,
                                      PrintStream log) {
        CohortGenerator.Patterns family = family(train, test);
        List<Row> rows = new ArrayList<>();
        List<double[]> trainMeans = trainGrids.stream().map(GridStatistics::meanCode).toList();
        List<double[]> testMeans = testGrids.stream().map(GridStatistics::meanCode).toList();
        Map<CohortTask, Bootstrap.Interval> bag = new LinkedHashMap<>();
        bag.put(CohortTask.TUMOUR_FRACTION, interval(CohortTask.TUMOUR_FRACTION, BagOfCodes.regression(trainMeans,
                train.stream().mapToDouble(CohortGenerator.Slide::tumourFraction).toArray(), testMeans), test, s));
        bag.put(CohortTask.GROWTH_PATTERN, interval(CohortTask.GROWTH_PATTERN, classScores(family, BagOfCodes.probabilities(
                trainMeans, classes(family, train), testMeans)), test, s));
        bag.put(CohortTask.OVERALL_SURVIVAL, interval(CohortTask.OVERALL_SURVIVAL, BagOfCodes.survival(trainMeans,
                train.stream().mapToDouble(CohortGenerator.Slide::time).toArray(), events(train), testMeans), test, s));
        rows.add(new Row(encoder, "bag of codes (mean code + linear)", bag));
        log.printf("[evaluate] %s, bag of codes: %s%n", encoder, bag);

        // Arrangement without a trained model: one number per slide, its direction (or, for three classes, each
        // class's mean) taken from the training slides.
        double[] trainI = trainGrids.stream().mapToDouble(GridStatistics::moransI).toArray();
        double[] testI = testGrids.stream().mapToDouble(GridStatistics::moransI).toArray();
        rows.add(statisticRow(encoder, "Moran's I of PC1 (no training)", family, train, trainI, test, testI, s, log));
        ClusterStatistics clusters = ClusterStatistics.fit(trainGrids, 8, 20_000, s.seed());
        double[][] trainF = trainGrids.stream().map(clusters::features).toArray(double[][]::new);
        double[][] testF = testGrids.stream().map(clusters::features).toArray(double[][]::new);
        for (boolean joins : new boolean[] {true, false}) {
            int best = -1;
            double bestSeparation = -1;
            for (int f = 0; f < trainF[0].length; f++) {
                if (clusters.isJoin(f) != joins) {
                    continue;
                }
                double separation = separation(family, train, column(trainF, f));
                if (separation > bestSeparation) {
                    bestSeparation = separation;
                    best = f;
                }
            }
            rows.add(statisticRow(encoder, (joins ? "join count of code clusters" : "cohesion of a code cluster")
                    + " (k-means 8, " + clusters.name(best) + " chosen on the training slides)", family, train,
                    column(trainF, best), test, column(testF, best), s, log));
        }
        return rows;
    }

    /** A no-training statistic's row: the growth pattern judged from one number per slide. */
    static Row statisticRow(String encoder, String method, CohortGenerator.Patterns family, List<CohortGenerator.Slide> train,
                            double[] trainValues, List<CohortGenerator.Slide> test, double[] testValues, Settings s,
                            PrintStream log) {
        Map<CohortTask, Bootstrap.Interval> m = new LinkedHashMap<>();
        m.put(CohortTask.GROWTH_PATTERN, interval(CohortTask.GROWTH_PATTERN, statisticScores(family, train, trainValues,
                testValues), test, s));
        log.printf("[evaluate] %s, %s: %s%n", encoder, method, m);
        return new Row(encoder, method, m);
    }

    /**
     * Per-slide class scores from one statistic: for two classes the statistic itself, signed as it ranks the
     * training slides; for more, the negative distance to each class's training mean.
     */
    static double[][] statisticScores(CohortGenerator.Patterns family, List<CohortGenerator.Slide> train, double[] trainValues,
                                      double[] testValues) {
        int k = family.patterns().size();
        int[] y = classes(family, train);
        double[][] out = new double[testValues.length][];
        if (k == 2) {
            boolean[] positive = new boolean[y.length];
            for (int i = 0; i < y.length; i++) {
                positive[i] = y[i] == 1;
            }
            double sign = SlideMetrics.auc(finite(trainValues), positive) >= 0.5 ? 1 : -1;
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[] {sign * testValues[i]};
            }
            return out;
        }
        double[] mean = new double[k];
        int[] count = new int[k];
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(trainValues[i])) {
                mean[y[i]] += trainValues[i];
                count[y[i]]++;
            }
        }
        for (int c = 0; c < k; c++) {
            mean[c] /= Math.max(1, count[c]);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = new double[k];
            for (int c = 0; c < k; c++) {
                out[i][c] = -Math.abs(testValues[i] - mean[c]);
            }
        }
        return out;
    }

    /** How well one feature ranks the training slides by class: |AUC - 0.5| (two classes) or |Spearman| with the class order. */
    static double separation(CohortGenerator.Patterns family, List<CohortGenerator.Slide> train, double[] values) {
        int[] y = classes(family, train);
        try {
            if (family.patterns().size() == 2) {
                boolean[] positive = new boolean[y.length];
                for (int i = 0; i < y.length; i++) {
                    positive[i] = y[i] == 1;
                }
                return Math.abs(SlideMetrics.auc(finite(values), positive) - 0.5);
            }
            return Math.abs(SlideMetrics.spearman(finite(values), java.util.Arrays.stream(y).asDoubleStream().toArray()));
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static double[] column(double[][] rows, int f) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][f];
        }
        return out;
    }

    /** NaN (a cluster a slide lacks) as 0: it occurs nowhere. */
    private static double[] finite(double[] v) {
        return java.util.Arrays.stream(v).map(x -> Double.isFinite(x) ? x : 0).toArray();
    }

    /** The slides' class indices in the family. */
    static int[] classes(CohortGenerator.Patterns family, List<CohortGenerator.Slide> slides) {
        return slides.stream().mapToInt(x -> family.index(x.pattern())).toArray();
    }

    /** Class scores as the heads give them: P(second class) for two classes, else the probability vector. */
    static double[][] classScores(CohortGenerator.Patterns family, double[][] probabilities) {
        double[][] out = new double[probabilities.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = family.patterns().size() == 2 ? new double[] {probabilities[i][1]} : probabilities[i];
        }
        return out;
    }

    /** The C-index of the true log-hazard on the test slides: the best any model can do. */
    public static Bootstrap.Interval trueHazard(List<CohortGenerator.Slide> test, Settings s) {
        return interval(CohortTask.OVERALL_SURVIVAL, test.stream().mapToDouble(CohortGenerator.Slide::logHazard).toArray(), test, s);
    }

    /** The task's metric of per-slide scores (one number a slide) on the test slides, with its bootstrap interval. */
    public static Bootstrap.Interval interval(CohortTask task, double[] scores, List<CohortGenerator.Slide> test, Settings s) {
        double[][] vectors = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            vectors[i] = new double[] {scores[i]};
        }
        return interval(task, vectors, test, s);
    }

    /**
     * The task's metric of per-slide outputs (a value, a log-risk, P(second class) or the class probabilities) on the
     * test slides, with its bootstrap interval.
     */
    public static Bootstrap.Interval interval(CohortTask task, double[][] scores, List<CohortGenerator.Slide> test, Settings s) {
        CohortGenerator.Patterns family = task == CohortTask.GROWTH_PATTERN ? CohortGenerator.Patterns.of(test) : null;
        return Bootstrap.of(test.size(), sample -> metric(task, family, scores, test, sample), s.resamples(), s.seed());
    }

    /** The task's metric on the test slides {@code sample} ({@link TaskMetric}, the trainer's gate's too). */
    static double metric(CohortTask task, CohortGenerator.Patterns family, double[][] scores, List<CohortGenerator.Slide> test,
                         int[] sample) {
        return TaskMetric.of(task.kind(), family == null ? 0 : family.patterns().size(), scores, TaskMetric.Truth.of(test,
                CohortGenerator.Slide::tumourFraction, x -> family.index(x.pattern()), CohortGenerator.Slide::time,
                CohortGenerator.Slide::event), sample);
    }

    static List<HeadLabel> headLabels(CohortTask task, CohortGenerator.Patterns family, List<CohortGenerator.Slide> slides) {
        List<HeadLabel> out = new ArrayList<>();
        for (CohortGenerator.Slide x : slides) {
            out.add(switch (task) {
                case TUMOUR_FRACTION -> HeadLabel.regression(x.tumourFraction());
                case GROWTH_PATTERN -> HeadLabel.classification(family.index(x.pattern()));
                case OVERALL_SURVIVAL -> HeadLabel.survival(x.time(), x.event());
            });
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
        return switch (type) {
            case GIGAPIXEL -> "gigapixel CNN";
            case ATTENTION -> "attention";
            case ARRANGEMENT -> "arrangement (join ratios)";
            case ARRANGEMENT_COMPOSITION -> "arrangement + shares";
            case ARRANGEMENT_BLEND -> "arrangement blend (joins, joins + shares averaged)";
        };
    }

    static boolean isSurvival(TaskKind kind) {
        return kind == TaskKind.SURVIVAL;
    }
}
