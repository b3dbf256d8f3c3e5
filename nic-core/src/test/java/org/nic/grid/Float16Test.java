package org.nic.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void knownValues() {
        assertThat(Float16.fromFloat(0f)).isEqualTo((short) 0);
        assertThat(Float16.fromFloat(1f)).isEqualTo((short) 0x3C00);
        assertThat(Float16.fromFloat(-2f)).isEqualTo((short) 0xC000);
        assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Float16.fromFloat(1e6f)).isEqualTo((short) 0x7C00);
        assertThat(Float16.fromFloat(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
        assertThat(Float16.fromFloat(1 + 0x1p-11f)).as("tie to even").isEqualTo((short) 0x3C00);
        assertThat(Float16.fromFloat(1 + 3 * 0x1p-11f)).as("tie to even, up").isEqualTo((short) 0x3C02);
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
    }

    @Test
    void roundTripErrorIsWithinHalfAUlp() {
        Random r = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
            float back = Float16.toFloat(Float16.fromFloat(v));
            // relative 2^-11 for normals, absolute 2^-25 for subnormals
            assertThat(Math.abs(back - v)).isLessThanOrEqualTo(Math.max(Math.abs(v) * 0x1p-11f, 0x1p-25f));
        }
    }
}
