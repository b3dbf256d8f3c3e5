package org.nic.training.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.grid.CompressedGrid;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.stats.SlideMetrics;

/**
 * The arrangement head on grids of three cell types (each its own code plus noise) where tumour is either one mass or
 * scattered, at a tumour share drawn independently of the pattern: it learns the pattern from 40 slides while the
 * share says nothing about it, its ONNX graph computes what the Java features say, and with the shares it also reads
 * composition.
 */
class ArrangementHeadTest {

    static final int CHANNELS = 6;

    record Slide(CompressedGrid grid, boolean scattered, double share) { }

    static List<Slide> cohort(int n, long seed) {
        Random r = new Random(seed);
        float[][] type = new float[3][CHANNELS];
        Random codes = new Random(99); // the same cell types in every cohort
        for (float[] t : type) {
            for (int c = 0; c < CHANNELS; c++) {
                t[c] = (float) codes.nextGaussian() * 2;
            }
        }
        List<Slide> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            int size = 20 + r.nextInt(8);
            boolean scattered = s % 2 == 1;
            double share = 0.15 + 0.3 * r.nextDouble();
            int[] cell = new int[size * size];
            int tumour = (int) Math.round(share * size * size);
            if (scattered) {
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < cell.length; i++) {
                    all.add(i);
                }
                java.util.Collections.shuffle(all, r);
                all.subList(0, tumour).forEach(i -> cell[i] = 1);
            } else {
                // One mass: the cells nearest a random centre.
                int cy = r.nextInt(size);
                int cx = r.nextInt(size);
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < cell.length; i++) {
                    all.add(i);
                }
                all.sort(java.util.Comparator.comparingDouble(i -> Math.hypot(i / size - cy, i % size - cx)));
                all.subList(0, tumour).forEach(i -> cell[i] = 1);
            }
            for (int i = 0; i < cell.length; i++) {
                if (cell[i] == 0 && r.nextDouble() < 0.3) {
                    cell[i] = 2;
                }
            }
            float[] grid = new float[CHANNELS * size * size];
            boolean[] tissue = new boolean[size * size];
            for (int i = 0; i < cell.length; i++) {
                tissue[i] = true;
                for (int c = 0; c < CHANNELS; c++) {
                    grid[c * size * size + i] = type[cell[i]][c] + (float) (0.4 * r.nextGaussian());
                }
            }
            out.add(new Slide(new CompressedGrid("s" + s, CHANNELS, size, size, grid, tissue), scattered, share));
        }
        return out;
    }

    static double[] predict(HeadTrainer.Result head, List<Slide> slides) {
        try (OnnxHead onnx = new OnnxHead(head.onnx())) {
            return slides.stream().mapToDouble(x -> onnx.predict(x.grid(), head.crop(), 1)[0]).toArray();
        }
    }

    static boolean[] scattered(List<Slide> slides) {
        boolean[] out = new boolean[slides.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = slides.get(i).scattered();
        }
        return out;
    }

    @Test
    void learnsTheArrangementFromFortySlidesWhereTheShareSaysNothing() {
        List<Slide> train = cohort(40, 1);
        List<Slide> test = cohort(40, 2);
        List<HeadLabel> labels = train.stream().map(x -> HeadLabel.classification(x.scattered() ? 1 : 0)).toList();
        HeadTrainer.Result head = HeadTrainer.train(train.stream().map(Slide::grid).toList(), labels,
                new HeadTrainer.Settings(TaskKind.CLASSIFICATION, 2, 64, 0, 8, 0, 5).withType(HeadTrainer.Type.ARRANGEMENT));
        assertThat(head.type()).isEqualTo(HeadTrainer.Type.ARRANGEMENT);
        double auc = SlideMetrics.auc(predict(head, test), scattered(test));
        assertThat(auc).as("held-out AUC of the arrangement head").isGreaterThan(0.95);
        double shareAuc = SlideMetrics.auc(test.stream().mapToDouble(Slide::share).toArray(), scattered(test));
        assertThat(Math.abs(shareAuc - 0.5)).as("the tumour share alone (AUC %.2f)", shareAuc).isLessThan(0.25);
        // The same seed, the same head: a retrained lab gets the same answer.
        HeadTrainer.Result again = HeadTrainer.train(train.stream().map(Slide::grid).toList(), labels,
                new HeadTrainer.Settings(TaskKind.CLASSIFICATION, 2, 64, 0, 8, 0, 5).withType(HeadTrainer.Type.ARRANGEMENT));
        assertThat(predict(again, test)).containsExactly(predict(head, test), within(1e-6));
    }

    @Test
    void theOnnxGraphComputesTheJavaFeaturesAndModel() {
        List<Slide> train = cohort(24, 3);
        List<CompressedGrid> grids = train.stream().map(Slide::grid).toList();
        ArrangementHead.Types types = ArrangementHead.types(grids, 4);
        double[][] x = grids.stream().map(g -> ArrangementHead.features(g, types, true)).toArray(double[][]::new);
        List<HeadLabel> labels = train.stream().map(s -> HeadLabel.regression(s.share())).toList();
        ArrangementHead.Linear model = ArrangementHead.fitOnce(x, labels, TaskKind.REGRESSION, 2, 0.1);
        byte[] onnx = ArrangementHead.toOnnx(types, true, CHANNELS, model, 1, OnnxHeadExporter.Activation.NONE, "test");
        try (OnnxHead head = new OnnxHead(onnx)) {
            for (int i = 0; i < 6; i++) {
                CompressedGrid g = grids.get(i);
                double java = model.apply(x[i])[0];
                double graph = head.predict(g, Math.max(g.rows(), g.cols()) + 4, 1)[0];
                assertThat(graph).as("slide %d", i).isCloseTo(java, within(1e-3 + 1e-3 * Math.abs(java)));
            }
        }
    }

    @Test
    void anEnsembleGraphAveragesItsMembersRawOutputsBeforeTheActivation() {
        List<Slide> train = cohort(24, 3);
        List<CompressedGrid> grids = train.stream().map(Slide::grid).toList();
        List<HeadLabel> labels = train.stream().map(s -> HeadLabel.classification(s.scattered() ? 1 : 0)).toList();
        List<ArrangementHead.Member> members = new ArrayList<>();
        List<double[][]> features = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            ArrangementHead.Types types = ArrangementHead.types(grids, ArrangementHead.memberSeed(4, m));
            double[][] x = grids.stream().map(g -> ArrangementHead.features(g, types, true)).toArray(double[][]::new);
            features.add(x);
            members.add(new ArrangementHead.Member(types, ArrangementHead.fitOnce(x, labels, TaskKind.CLASSIFICATION, 2, 0.3)));
        }
        byte[] onnx = ArrangementHead.toOnnx(members, true, CHANNELS, 1, OnnxHeadExporter.Activation.SIGMOID, "test");
        try (OnnxHead head = new OnnxHead(onnx)) {
            for (int i = 0; i < 6; i++) {
                CompressedGrid g = grids.get(i);
                double logit = 0;
                for (int m = 0; m < 3; m++) {
                    logit += members.get(m).model().apply(features.get(m)[i])[0] / 3;
                }
                double java = 1 / (1 + Math.exp(-logit));
                double graph = head.predict(g, Math.max(g.rows(), g.cols()) + 4, 1)[0];
                assertThat(graph).as("slide %d", i).isCloseTo(java, within(1e-3));
            }
        }
        // The members differ: each has its own types, so the average is not one member counted three times.
        assertThat(members.get(1).types().centres()[0]).isNotEqualTo(members.get(0).types().centres()[0]);
    }

    @Test
    void ensemblesOfNeighbouringSeedsShareNoMember() {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long seed = 15; seed <= 21; seed++) {
            for (int m = 0; m < 8; m++) {
                assertThat(seen.add(ArrangementHead.memberSeed(seed, m))).as("seed %d member %d", seed, m).isTrue();
            }
        }
        assertThat(ArrangementHead.memberSeed(17, 0)).as("member 0 is the single model").isEqualTo(17);
    }

    @Test
    void aFiveMemberHeadTrainsAndIsTheSameForTheSameSeed() {
        List<Slide> train = cohort(40, 1);
        List<Slide> test = cohort(20, 2);
        List<HeadLabel> labels = train.stream().map(x -> HeadLabel.classification(x.scattered() ? 1 : 0)).toList();
        HeadTrainer.Settings settings = new HeadTrainer.Settings(TaskKind.CLASSIFICATION, 2, 64, 0, 8, 0, 5)
                .withType(HeadTrainer.Type.ARRANGEMENT).withMembers(5);
        HeadTrainer.Result head = HeadTrainer.train(train.stream().map(Slide::grid).toList(), labels, settings);
        assertThat(head.epochLosses()).as("one ridge strength per member").hasSize(5);
        assertThat(SlideMetrics.auc(predict(head, test), scattered(test))).isGreaterThan(0.95);
        HeadTrainer.Result again = HeadTrainer.train(train.stream().map(Slide::grid).toList(), labels, settings);
        assertThat(predict(again, test)).containsExactly(predict(head, test), within(1e-6));
    }

    @Test
    void theBlendIsTheMeanOfTheTwoRidgeHeadsOfTheSameSeed() {
        // Regression has no activation, so the blend's output is exactly the mean of the two heads' outputs: the same
        // member seeds give the same types and folds, and each model keeps the ridge strength its own folds chose.
        List<Slide> train = cohort(40, 7);
        List<Slide> test = cohort(12, 8);
        List<CompressedGrid> grids = train.stream().map(Slide::grid).toList();
        List<HeadLabel> labels = train.stream().map(s -> HeadLabel.regression(s.share() + (s.scattered() ? 0.1 : 0))).toList();
        HeadTrainer.Settings settings = new HeadTrainer.Settings(TaskKind.REGRESSION, 0, 64, 0, 8, 0, 5).withMembers(2);
        HeadTrainer.Result joins = HeadTrainer.train(grids, labels, settings.withType(HeadTrainer.Type.ARRANGEMENT));
        HeadTrainer.Result shares = HeadTrainer.train(grids, labels, settings.withType(HeadTrainer.Type.ARRANGEMENT_COMPOSITION));
        HeadTrainer.Result blend = HeadTrainer.train(grids, labels, settings.withType(HeadTrainer.Type.ARRANGEMENT_BLEND));
        assertThat(blend.type()).isEqualTo(HeadTrainer.Type.ARRANGEMENT_BLEND);
        assertThat(blend.epochLosses()).as("both ridge strengths of each member").hasSize(4);
        double[] a = predict(joins, test);
        double[] b = predict(shares, test);
        double[] mean = predict(blend, test);
        boolean differ = false;
        for (int i = 0; i < test.size(); i++) {
            assertThat(mean[i]).as("slide %d", i).isCloseTo((a[i] + b[i]) / 2, within(1e-3 + 1e-3 * Math.abs(a[i])));
            differ |= Math.abs(a[i] - b[i]) > 1e-3;
        }
        assertThat(differ).as("the two heads differ, so the mean is not either of them").isTrue();
    }

    @Test
    void averagingRefusesModelsOfOtherSlides() {
        ArrangementHead.Linear first = new ArrangementHead.Linear(new double[] {0}, new double[] {1}, new double[][] {{1}},
                new double[] {0}, 1);
        ArrangementHead.Linear all = new ArrangementHead.Linear(new double[] {0.5, 0}, new double[] {1, 1},
                new double[][] {{1}, {1}}, new double[] {0}, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ArrangementHead.average(first, all))
                .isInstanceOf(IllegalArgumentException.class);
        ArrangementHead.Linear same = ArrangementHead.average(new ArrangementHead.Linear(new double[] {0.5}, new double[] {1},
                new double[][] {{2}}, new double[] {1}, 1), all);
        assertThat(same.apply(new double[] {1.5, 1})[0]).as("(2 * 1 + 1) / 2 + (1 * 1 + 1 * 1) / 2").isCloseTo(2.5, within(1e-12));
    }

    @Test
    void withTheSharesItReadsCompositionAndSurvival() {
        List<Slide> train = cohort(60, 5);
        List<Slide> test = cohort(40, 6);
        List<CompressedGrid> grids = train.stream().map(Slide::grid).toList();
        HeadTrainer.Result regression = HeadTrainer.train(grids, train.stream().map(s -> HeadLabel.regression(s.share())).toList(),
                new HeadTrainer.Settings(TaskKind.REGRESSION, 0, 64, 0, 8, 0, 5)
                        .withType(HeadTrainer.Type.ARRANGEMENT_COMPOSITION));
        double[] share = test.stream().mapToDouble(Slide::share).toArray();
        double[] predicted = predict(regression, test);
        assertThat(SlideMetrics.spearman(predicted, share)).isGreaterThan(0.9);
        assertThat(java.util.Arrays.stream(predicted).average().orElse(0)).as("in the label's units").isBetween(0.2, 0.4);
        // Survival: hazard grows with the share and with scattering.
        Random r = new Random(8);
        List<HeadLabel> os = new ArrayList<>();
        for (Slide s : train) {
            double hazard = Math.exp(3 * s.share() + (s.scattered() ? 1 : 0));
            os.add(HeadLabel.survival(-Math.log(1 - r.nextDouble()) / hazard, true));
        }
        HeadTrainer.Result survival = HeadTrainer.train(grids, os, new HeadTrainer.Settings(TaskKind.SURVIVAL, 0, 64, 0, 8, 0, 5)
                .withType(HeadTrainer.Type.ARRANGEMENT_COMPOSITION));
        double[] risk = predict(survival, test);
        double[] truth = test.stream().mapToDouble(s -> 3 * s.share() + (s.scattered() ? 1 : 0)).toArray();
        double[] time = new double[test.size()];
        boolean[] event = new boolean[test.size()];
        for (int i = 0; i < time.length; i++) {
            time[i] = -Math.log(1 - r.nextDouble()) / Math.exp(truth[i]);
            event[i] = true;
        }
        double head = SlideMetrics.concordanceIndex(risk, time, event);
        double best = SlideMetrics.concordanceIndex(truth, time, event);
        assertThat(head).as("C-index %.3f of the head, %.3f of the true log-hazard", head, best).isGreaterThan(0.85 * best);
    }
}
