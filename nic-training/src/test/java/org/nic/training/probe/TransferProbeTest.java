package org.nic.training.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The probe on codes whose answer is known: separable classes, pure noise, and groups that must not split. */
class TransferProbeTest {

    /** 3 classes, 40 groups of 6; class c shifts feature c by {@code shift} standard deviations. */
    static Object[] synthetic(double shift, long seed) {
        Random r = new Random(seed);
        int n = 240;
        float[][] codes = new float[n][16];
        int[] labels = new int[n];
        String[] groups = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i / 6) % 3;
            groups[i] = "g" + i / 6;
            for (int j = 0; j < 16; j++) {
                codes[i][j] = (float) r.nextGaussian();
            }
            codes[i][labels[i]] += (float) shift;
        }
        return new Object[] {codes, labels, groups};
    }

    @Test
    void separableCodesScoreNearOneAndNoiseScoresChance() {
        Object[] easy = synthetic(6, 1);
        Map<String, TransferProbe.Score> s = TransferProbe.evaluate((float[][]) easy[0], (int[]) easy[1], (String[]) easy[2],
                5, new int[] {0, 5}, 4, 3);
        assertThat(s.get("all").mean()).isGreaterThan(0.98);
        assertThat(s.get("all").runs()).isEqualTo(5);
        assertThat(s.get("k5").mean()).isGreaterThan(0.9);
        assertThat(s.get("k5").runs()).isEqualTo(4);

        Object[] noise = synthetic(0, 2);
        Map<String, TransferProbe.Score> n = TransferProbe.evaluate((float[][]) noise[0], (int[]) noise[1], (String[]) noise[2],
                5, new int[] {0, 5}, 4, 3);
        assertThat(n.get("all").mean()).isCloseTo(1.0 / 3, within(0.1));
        assertThat(n.get("k5").mean()).isCloseTo(1.0 / 3, within(0.1));
        assertThat(n.get("all").sd()).isPositive();
    }

    @Test
    void aGroupIsNeverSplitAndFoldsAreBalanced() {
        String[] groups = new String[100];
        for (int i = 0; i < 100; i++) {
            groups[i] = "slide" + (i < 40 ? 0 : i < 60 ? 1 : i < 70 ? 2 : i % 7 + 3);
        }
        int[] fold = TransferProbe.assignFolds(groups, 3);
        Map<String, Integer> seen = new HashMap<>();
        int[] sizes = new int[3];
        for (int i = 0; i < 100; i++) {
            Integer before = seen.putIfAbsent(groups[i], fold[i]);
            assertThat(before == null || before == fold[i]).as("group %s in one fold", groups[i]).isTrue();
            sizes[fold[i]]++;
        }
        // Largest group first, each to the smallest fold: the 40 alone, the rest within one group's size of each other.
        java.util.Arrays.sort(sizes);
        assertThat(sizes[2]).isEqualTo(40);
        assertThat(sizes[1] - sizes[0]).isLessThanOrEqualTo(5);
        assertThat(sizes[0] + sizes[1]).isEqualTo(60);
    }

    @Test
    void theProbeIsDeterministicAndLearnsMoreFromMoreLabels() {
        Object[] data = synthetic(1.2, 5);
        float[][] codes = (float[][]) data[0];
        int[] labels = (int[]) data[1];
        String[] groups = (String[]) data[2];
        var a = TransferProbe.evaluate(codes, labels, groups, 4, new int[] {0, 5}, 5, 11);
        var b = TransferProbe.evaluate(codes, labels, groups, 4, new int[] {0, 5}, 5, 11);
        assertThat(b).isEqualTo(a);
        assertThat(a.get("all").mean()).isGreaterThan(a.get("k5").mean());
    }
}
