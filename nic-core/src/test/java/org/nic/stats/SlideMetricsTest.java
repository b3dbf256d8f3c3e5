package org.nic.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Each metric against values computed by hand, ties and censoring included. */
class SlideMetricsTest {

    @Test
    void spearmanWithTies() {
        // x ranks: 1, 2.5, 2.5, 4 ; y ranks: 1, 2, 3, 4
        // deviations from the mean rank 2.5: x (-1.5, 0, 0, 1.5), y (-1.5, -0.5, 0.5, 1.5): 4.5 / sqrt(4.5 * 5) = 0.948683
        assertThat(SlideMetrics.spearman(new double[] {1, 2, 2, 3}, new double[] {10, 20, 30, 40}))
                .isCloseTo(4.5 / Math.sqrt(4.5 * 5), within(1e-12));
        assertThat(SlideMetrics.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isCloseTo(-1, within(1e-12));
        assertThat(SlideMetrics.ranks(new double[] {5, 1, 5, 3})).containsExactly(3.5, 1, 3.5, 2);
    }

    @Test
    void aucWithTies() {
        // positives 0.8, 0.4 ; negatives 0.4, 0.1 -> pairs: (0.8>0.4)=1, (0.8>0.1)=1, (0.4=0.4)=0.5, (0.4>0.1)=1 -> 3.5/4
        assertThat(SlideMetrics.auc(new double[] {0.8, 0.4, 0.4, 0.1}, new boolean[] {true, true, false, false}))
                .isEqualTo(0.875);
        assertThatThrownBy(() -> SlideMetrics.auc(new double[] {1, 2}, new boolean[] {true, true}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void macroAucAveragesOneVsRest() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.2, 0.7, 0.1}, {0.1, 0.2, 0.7}, {0.4, 0.5, 0.1}};
        int[] labels = {0, 1, 2, 0};
        // class 0: positives {0.7, 0.4} vs negatives {0.2, 0.1}: 4/4 = 1
        // class 1: positive {0.7} vs {0.2, 0.2, 0.5}: 1
        // class 2: positive {0.7} vs {0.1, 0.1, 0.1}: 1
        assertThat(SlideMetrics.macroAuc(p, labels)).isEqualTo(1.0);
        int[] swapped = {1, 0, 2, 0};
        // class 0: positives {0.2, 0.4} vs negatives {0.7, 0.1}: (0.2<0.7)0 + (0.2>0.1)1 + (0.4<0.7)0 + (0.4>0.1)1 = 2/4
        // class 1: positive {0.2} vs {0.7, 0.2, 0.5}: 0 + 0.5 + 0 = 0.5/3
        // class 2: 1
        assertThat(SlideMetrics.macroAuc(p, swapped)).isCloseTo((0.5 + 0.5 / 3 + 1) / 3, within(1e-12));
    }

    @Test
    void cIndexWithCensoringAndTies() {
        double[] time = {2, 4, 4, 6, 8};
        boolean[] event = {true, true, false, true, false};
        double[] risk = {0.9, 0.5, 0.5, 0.7, 0.1};
        // comparable pairs (i had the event, shorter time, or equal time with j censored):
        // i=0 (t2): j=1,2,3,4 -> risks 0.9 vs 0.5,0.5,0.7,0.1: 4 concordant
        // i=1 (t4, event): j=2 (t4 censored): 0.5 = 0.5 -> 0.5 ; j=3: 0.5 < 0.7 -> 0 ; j=4: 0.5 > 0.1 -> 1
        // i=3 (t6): j=4: 0.7 > 0.1 -> 1
        // total 4 + 1.5 + 1 = 6.5 over 8 comparable pairs
        assertThat(SlideMetrics.concordanceIndex(risk, time, event)).isEqualTo(6.5 / 8);
        assertThatThrownBy(() -> SlideMetrics.concordanceIndex(new double[] {1, 2}, new double[] {1, 2},
                new boolean[] {false, false})).isInstanceOf(IllegalArgumentException.class);
    }
}
