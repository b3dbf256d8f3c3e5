package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nic.grid.CompressedGrid;

/** The comparison behind `nic-cohort heads-across`: metrics on both grids, the paired difference, the codes' cosines. */
class HeadsAcrossEncodersTest {

    private static final CohortEvaluation.Settings SETTINGS = new CohortEvaluation.Settings(0, 0, 0, 0, 0, 17, 500, 0, List.of());

    /** 40 test slides whose tumour fraction is i / 40. */
    private static List<CohortGenerator.Slide> slides() {
        List<CohortGenerator.Slide> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            out.add(new CohortGenerator.Slide("s" + i, "test", null, 0, i / 40.0, SlideLayout.Pattern.COMPACT, 0, 1, true, 1, 0, 0));
        }
        return out;
    }

    private static double[][] column(double[] v) {
        double[][] out = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            out[i] = new double[] {v[i]};
        }
        return out;
    }

    @Test
    void theSameOutputsOnBothGridsDifferByNothing() {
        List<CohortGenerator.Slide> test = slides();
        Random r = new Random(3);
        double[] v = test.stream().mapToDouble(x -> x.tumourFraction() + 0.2 * r.nextGaussian()).toArray();
        HeadsAcrossEncoders.Row row = HeadsAcrossEncoders.compare(CohortTask.TUMOUR_FRACTION, "v1", column(v), column(v), test,
                SETTINGS);
        assertThat(row.own().value()).isEqualTo(row.other().value()).isGreaterThan(0.3);
        assertThat(row.difference().value()).isZero();
        assertThat(row.difference().lower()).isZero();
        assertThat(row.difference().upper()).isZero();
        assertThat(row.withinOwnInterval()).isTrue();
    }

    @Test
    void outputsThatLoseTheOrderingFallOutsideTheOwnIntervalWithAPairedDropBelowZero() {
        List<CohortGenerator.Slide> test = slides();
        double[] own = test.stream().mapToDouble(CohortGenerator.Slide::tumourFraction).toArray();
        Random r = new Random(5);
        double[] other = test.stream().mapToDouble(x -> r.nextDouble()).toArray(); // unrelated to the truth
        HeadsAcrossEncoders.Row row = HeadsAcrossEncoders.compare(CohortTask.TUMOUR_FRACTION, "v1", column(own), column(other),
                test, SETTINGS);
        assertThat(row.own().value()).isCloseTo(1.0, within(1e-12));
        assertThat(row.difference().value()).isCloseTo(row.other().value() - 1.0, within(1e-12));
        assertThat(row.difference().upper()).isLessThan(0);
        assertThat(row.withinOwnInterval()).isFalse();
        assertThat(HeadsAcrossEncoders.markdown("a", "b", List.of(row), new HeadsAcrossEncoders.Cosines(1, 1, 1, 1), 40))
                .contains("| tumour-fraction (Spearman) | v1 |").contains("| **no** |");
    }

    @Test
    void scoresOfAnotherSlideCountAreRefused() {
        List<CohortGenerator.Slide> test = slides();
        assertThatThrownBy(() -> HeadsAcrossEncoders.compare(CohortTask.TUMOUR_FRACTION, "v1", new double[39][1],
                new double[40][1], test, SETTINGS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cosinesAreTakenPerTissueCellAcrossChannels() {
        // 2 channels, 1 x 3 cells; the third cell is not tissue in the second grid.
        float[] a = {1, 0, 5, /* channel 1 */ 0, 1, 5};
        float[] b = {1, 0, -5, /* channel 1 */ 0, -1, -5};
        CompressedGrid x = new CompressedGrid("s", 2, 1, 3, a, new boolean[] {true, true, true});
        CompressedGrid y = new CompressedGrid("s", 2, 1, 3, b, new boolean[] {true, true, false});
        HeadsAcrossEncoders.Cosines c = HeadsAcrossEncoders.cosines(List.of(x), List.of(y));
        assertThat(c.cells()).isEqualTo(2);
        assertThat(c.mean()).isCloseTo(0.0, within(1e-12)); // cell 0: 1, cell 1: -1
        assertThat(c.min()).isCloseTo(-1.0, within(1e-12));
        assertThatThrownBy(() -> HeadsAcrossEncoders.cosines(List.of(x), List.of(new CompressedGrid("s", 2, 3, 1, a,
                new boolean[3])))).isInstanceOf(IllegalArgumentException.class);
    }
}
