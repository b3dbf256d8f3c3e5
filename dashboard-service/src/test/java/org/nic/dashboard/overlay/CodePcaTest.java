package org.nic.dashboard.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.nic.grid.CompressedGrid;

class CodePcaTest {

    /** Codes = a * u + b * w + small noise, with a (across) spread more than b (down): PC1 finds a, PC2 finds b. */
    static CompressedGrid planted(int channels, int rows, int cols, long seed) {
        Random r = new Random(seed);
        double[] u = new double[channels];
        double[] w = new double[channels];
        u[0] = 1;
        w[1] = 1;
        float[] codes = new float[channels * rows * cols];
        boolean[] tissue = new boolean[rows * cols];
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int i = y * cols + x;
                tissue[i] = x > 0; // the first column is background
                if (!tissue[i]) {
                    continue;
                }
                double a = 3.0 * x / cols;
                double b = 1.0 * y / rows;
                for (int c = 0; c < channels; c++) {
                    codes[c * rows * cols + i] = (float) (a * u[c] + b * w[c] + r.nextGaussian() * 0.01);
                }
            }
        }
        return new CompressedGrid("planted", channels, rows, cols, codes, tissue);
    }

    @Test
    void theFirstComponentsFollowThePlantedDirectionsWithFixedSigns() {
        CompressedGrid g = planted(16, 10, 12, 3);
        float[][] s = CodePca.scores(g, 3);
        assertThat(s[0][0]).as("background").isNaN();
        // PC1 rises across the grid, PC2 down it; both with a positive sign (largest loading positive)
        assertThat(s[0][1 * 12 + 11]).isGreaterThan(s[0][1 * 12 + 2]);
        assertThat(s[1][9 * 12 + 5]).isGreaterThan(s[1][0 * 12 + 5]);
        assertThat(Math.abs(s[0][1 * 12 + 11] - s[0][1 * 12 + 2])).isGreaterThan(2.0f);
        float[][] again = CodePca.scores(planted(16, 10, 12, 3), 3);
        assertThat(again[0]).containsExactly(s[0]);
    }

    @Test
    void theOverlayIsAThumbnailSizedPngWithBackgroundLeftTransparent() throws Exception {
        CompressedGrid g = planted(8, 4, 5, 1);
        byte[] png = OverlayImages.png(new OverlayImages.Geometry(50, 40, 10), 4, 5, OverlayImages.rgb(CodePca.scores(g, 3)));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(50);
        assertThat(image.getHeight()).isEqualTo(40);
        assertThat(image.getRGB(5, 5) >>> 24).as("background cell").isZero();
        assertThat(image.getRGB(45, 35) >>> 24).as("tissue cell").isEqualTo(255);
        assertThat(image.getRGB(45, 5) & 0xFF0000).as("red = PC1, high at the right").isGreaterThan(image.getRGB(15, 5) & 0xFF0000);
        int[] map = OverlayImages.viridis(new float[] {0, 1, Float.NaN}, 0, 1);
        assertThat(map[0] & 0xFFFFFF).isEqualTo(0x440154);
        assertThat(map[1] & 0xFFFFFF).isEqualTo(0xfde725);
        assertThat(map[2]).isZero();
    }
}
