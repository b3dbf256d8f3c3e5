package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.grid.CompressedGrid;
import org.nic.stats.SlideMetrics;

/**
 * Desmoplastic vs replacement on grids whose codes are each tissue class's own code plus noise: the bag of codes
 * sees nothing (the composition is the same by construction), the join count of code clusters chosen on training
 * slides sees the rim.
 */
class BorderPatternTest {

    static CompressedGrid grid(SlideLayout layout, float[][] classCodes, Random r) {
        int rows = layout.rows();
        int cols = layout.cols();
        int c = classCodes[0].length;
        float[] codes = new float[c * rows * cols];
        boolean[] tissue = new boolean[rows * cols];
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                TissueClass t = layout.at(y, x);
                tissue[y * cols + x] = t != TissueClass.BACKGROUND;
                for (int ch = 0; ch < c; ch++) {
                    codes[(ch * rows + y) * cols + x] = tissue[y * cols + x]
                            ? (float) (classCodes[t.ordinal()][ch] + 0.3 * r.nextGaussian()) : 0;
                }
            }
        }
        return new CompressedGrid("g", c, rows, cols, codes, tissue);
    }

    @Test
    void theBagOfCodesIsAtChanceAndTheJoinCountOfClustersSeesTheRim() {
        Random r = new Random(3);
        float[][] classCodes = new float[TissueClass.values().length][8];
        for (float[] code : classCodes) {
            for (int ch = 0; ch < code.length; ch++) {
                code[ch] = (float) r.nextGaussian();
            }
        }
        List<CompressedGrid> trainGrids = new ArrayList<>();
        List<CompressedGrid> testGrids = new ArrayList<>();
        List<CohortGenerator.Slide> train = new ArrayList<>();
        List<CohortGenerator.Slide> test = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            SlideLayout.Pattern p = i % 2 == 0 ? SlideLayout.Pattern.DESMOPLASTIC : SlideLayout.Pattern.REPLACEMENT;
            SlideLayout layout = SlideLayout.generate(40, 40, 0.15 + 0.25 * r.nextDouble(), p, new Random(100 + i));
            CohortGenerator.Slide slide = new CohortGenerator.Slide("s" + i, i < 40 ? "train" : "test", null, 0,
                    layout.tumourFraction(), p, 0, 1, true, layout.tissueCells(), layout.tumourCohesion(), layout.rimShare());
            (i < 40 ? train : test).add(slide);
            (i < 40 ? trainGrids : testGrids).add(grid(layout, classCodes, r));
        }
        CohortGenerator.Patterns family = CohortGenerator.Patterns.of(train);
        assertThat(family).isEqualTo(CohortGenerator.Patterns.BORDER);
        boolean[] replacement = new boolean[test.size()];
        for (int i = 0; i < test.size(); i++) {
            replacement[i] = test.get(i).pattern() == SlideLayout.Pattern.REPLACEMENT;
        }

        double[][] bag = BagOfCodes.probabilities(trainGrids.stream().map(GridStatistics::meanCode).toList(),
                CohortEvaluation.classes(family, train), testGrids.stream().map(GridStatistics::meanCode).toList());
        double bagAuc = SlideMetrics.auc(java.util.Arrays.stream(bag).mapToDouble(p -> p[1]).toArray(), replacement);
        assertThat(Math.abs(bagAuc - 0.5)).as("bag of codes AUC %.3f: composition says nothing", bagAuc).isLessThan(0.25);

        ClusterStatistics clusters = ClusterStatistics.fit(trainGrids, TissueClass.values().length - 1, 20_000, 7);
        double[][] trainF = trainGrids.stream().map(clusters::features).toArray(double[][]::new);
        int best = -1;
        double bestSeparation = -1;
        for (int f = 0; f < trainF[0].length; f++) {
            double[] column = new double[trainF.length];
            for (int i = 0; i < column.length; i++) {
                column[i] = trainF[i][f];
            }
            double s = CohortEvaluation.separation(family, train, column);
            if (clusters.isJoin(f) && s > bestSeparation) {
                bestSeparation = s;
                best = f;
            }
        }
        final int chosen = best;
        double[] trainValues = java.util.Arrays.stream(trainF).mapToDouble(v -> v[chosen]).toArray();
        double[] testValues = testGrids.stream().mapToDouble(g -> clusters.features(g)[chosen]).toArray();
        double[][] scores = CohortEvaluation.statisticScores(family, train, trainValues, testValues);
        double auc = SlideMetrics.auc(java.util.Arrays.stream(scores).mapToDouble(v -> v[0]).toArray(), replacement);
        assertThat(auc).as("%s on unseen slides", clusters.name(chosen)).isGreaterThan(0.95);
    }
}
