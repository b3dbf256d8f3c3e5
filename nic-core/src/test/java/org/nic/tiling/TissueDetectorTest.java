package org.nic.tiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TissueDetectorTest {

    private static final int PINK = 0xE080B0;   // eosin-like
    private static final int PURPLE = 0x7050A0; // haematoxylin-like
    private static final int GREEN_PEN = 0x20A040;
    private static final int BLACK = 0x101010;

    @Test
    void otsuSplitsTwoModes() {
        long[] h = new long[256];
        h[10] = 100;
        h[200] = 100;
        int t = TissueDetector.otsu(h);
        assertThat(t).isBetween(10, 199);
    }

    @Test
    void findsStainedTissueAndRejectsPenDarkDebrisAndSpecks() {
        int w = 100;
        int h = 100;
        int[] px = new int[w * h];
        Arrays.fill(px, 0xF4F4F2); // glass
        fill(px, w, 10, 10, 50, 50, PINK);
        fill(px, w, 20, 20, 30, 30, PURPLE);
        fill(px, w, 70, 10, 90, 30, GREEN_PEN);
        fill(px, w, 70, 60, 90, 80, BLACK);
        fill(px, w, 5, 90, 7, 92, PINK); // a 2x2 speck
        TissueMask mask = new TissueDetector(TissueParameters.defaults())
                .detect(new RgbImage(w, h, px, 16), 0.5); // 8 um per mask pixel
        assertThat(mask.isTissue(30, 30)).isTrue();
        assertThat(mask.isTissue(25, 25)).isTrue();
        assertThat(mask.isTissue(80, 20)).as("green pen").isFalse();
        assertThat(mask.isTissue(80, 70)).as("black debris").isFalse();
        assertThat(mask.isTissue(6, 91)).as("speck").isFalse();
        assertThat(mask.isTissue(95, 95)).as("glass").isFalse();
        assertThat(mask.tissuePixels()).isBetween(1400L, 1700L);
    }

    @Test
    void blankSlideHasNoTissue() {
        int[] px = new int[64 * 64];
        Arrays.fill(px, 0xF2F2F0);
        px[100] = 0xF0E8F0;
        TissueMask mask = new TissueDetector(TissueParameters.defaults()).detect(new RgbImage(64, 64, px, 16), 0.5);
        assertThat(mask.tissuePixels()).isZero();
    }

    @Test
    void tissueFractionCountsMaskPixelCentres() {
        boolean[] bits = new boolean[16];
        bits[0] = true;
        bits[1] = true;
        TissueMask mask = new TissueMask(4, 4, bits, 10, 0);
        assertThat(mask.tissueFraction(0, 0, 20, 20)).isEqualTo(0.5);
        assertThat(mask.tissueFraction(0, 0, 40, 40)).isEqualTo(2 / 16.0);
        assertThat(mask.tissueFraction(0, 0, 4, 4)).isZero(); // no pixel centre inside
    }

    private static void fill(int[] px, int w, int x0, int y0, int x1, int y1, int rgb) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                px[y * w + x] = rgb;
            }
        }
    }
}
