package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.grid.CompressedGrid;
import org.nic.stats.Bootstrap;
import org.nic.stats.SlideMetrics;

/** The baselines on data whose answer is known. */
class StatisticsTest {

    /** A grid whose codes are v * direction + noise on every cell, v given per cell. */
    static CompressedGrid grid(double[][] v, Random r) {
        int rows = v.length;
        int cols = v[0].length;
        int c = 8;
        float[] codes = new float[c * rows * cols];
        boolean[] tissue = new boolean[rows * cols];
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                tissue[y * cols + x] = true;
                for (int ch = 0; ch < c; ch++) {
                    codes[(ch * rows + y) * cols + x] = (float) (v[y][x] * (ch % 2 == 0 ? 1 : -1) + 0.05 * r.nextGaussian());
                }
            }
        }
        return new CompressedGrid("g", c, rows, cols, codes, tissue);
    }

    @Test
    void moransIIsHighForRegionsNearZeroForNoiseAndNegativeForACheckerboard() {
        Random r = new Random(1);
        double[][] halves = new double[20][20];
        double[][] noise = new double[20][20];
        double[][] checker = new double[20][20];
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                halves[y][x] = x < 10 ? 1 : -1;
                noise[y][x] = r.nextBoolean() ? 1 : -1;
                checker[y][x] = (x + y) % 2 == 0 ? 1 : -1;
            }
        }
        assertThat(GridStatistics.moransI(grid(halves, r))).isGreaterThan(0.8);
        assertThat(GridStatistics.moransI(grid(noise, r))).isCloseTo(0, within(0.15));
        assertThat(GridStatistics.moransI(grid(checker, r))).isLessThan(-0.8);
    }

    @Test
    void bagOfCodesModelsRecoverWhatIsInTheMeanCode() {
        Random r = new Random(2);
        List<double[]> train = new ArrayList<>();
        List<double[]> test = new ArrayList<>();
        double[] yTrain = new double[200];
        double[] yTest = new double[100];
        for (int i = 0; i < 300; i++) {
            double[] x = new double[16];
            for (int j = 0; j < 16; j++) {
                x[j] = r.nextGaussian();
            }
            double y = 2 * x[0] - x[3] + 0.3 * r.nextGaussian();
            if (i < 200) {
                train.add(x);
                yTrain[i] = y;
            } else {
                test.add(x);
                yTest[i - 200] = y;
            }
        }
        assertThat(SlideMetrics.spearman(BagOfCodes.regression(train, yTrain, test), yTest)).isGreaterThan(0.9);

        int[] cls = new int[200];
        boolean[] positive = new boolean[100];
        for (int i = 0; i < 200; i++) {
            cls[i] = yTrain[i] > 0 ? 1 : 0;
        }
        for (int i = 0; i < 100; i++) {
            positive[i] = yTest[i] > 0;
        }
        assertThat(SlideMetrics.auc(BagOfCodes.classification(train, cls, test), positive)).isGreaterThan(0.9);

        // Survival: hazard exp(y); exponential times, some censored.
        double[] time = new double[200];
        boolean[] event = new boolean[200];
        double[] testTime = new double[100];
        boolean[] testEvent = new boolean[100];
        for (int i = 0; i < 300; i++) {
            double y = i < 200 ? yTrain[i] : yTest[i - 200];
            double t = -Math.log(1 - r.nextDouble()) / Math.exp(y);
            double c = r.nextDouble() * 3;
            if (i < 200) {
                time[i] = Math.min(t, c);
                event[i] = t <= c;
            } else {
                testTime[i - 200] = Math.min(t, c);
                testEvent[i - 200] = t <= c;
            }
        }
        double[] risk = BagOfCodes.survival(train, time, event, test);
        assertThat(SlideMetrics.concordanceIndex(risk, testTime, testEvent)).isGreaterThan(0.75);
    }

    @Test
    void bootstrapIntervalsContainTheValueAndNarrowWithMoreSlides() {
        Random r = new Random(3);
        double[] small = new double[10];
        double[] large = new double[400];
        for (int i = 0; i < large.length; i++) {
            double v = r.nextGaussian();
            large[i] = v;
            if (i < small.length) {
                small[i] = v;
            }
        }
        Bootstrap.Interval a = Bootstrap.of(small.length, s -> mean(small, s), 1000, 1);
        Bootstrap.Interval b = Bootstrap.of(large.length, s -> mean(large, s), 1000, 1);
        assertThat(a.lower()).isLessThan(a.value());
        assertThat(a.upper()).isGreaterThan(a.value());
        assertThat(b.upper() - b.lower()).isLessThan((a.upper() - a.lower()) / 3);
    }

    static double mean(double[] v, int[] s) {
        double m = 0;
        for (int i : s) {
            m += v[i] / s.length;
        }
        return m;
    }
}
