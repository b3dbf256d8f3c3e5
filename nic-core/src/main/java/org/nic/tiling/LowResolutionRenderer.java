package org.nic.tiling;

import org.nic.slide.SlideReader;

/**
 * Renders a whole slide at a low resolution from the coarsest pyramid level that is still fine enough,
 * box-averaging its pixels. Reads go in horizontal stripes of bounded size, so memory stays flat
 * whatever the level's size, and a slide with a pyramid is never read at full resolution.
 */
public final class LowResolutionRenderer {

    /** Upper bound of level pixels held at once while rendering. */
    static final long STRIPE_PIXELS = 4L << 20;

    private LowResolutionRenderer() {
    }

    /**
     * @param reader the open slide
     * @param downsample level-0 pixels per output pixel (at least 1)
     * @param maxOutputPixels refuses to render larger outputs
     */
    public static RgbImage render(SlideReader reader, double downsample, long maxOutputPixels) {
        return render(reader, downsample, maxOutputPixels, 1);
    }

    /**
     * As {@link #render(SlideReader, double, long)}, from a level at least {@code minAveraged} times finer than the
     * output (where the slide has one), so that every output pixel is this renderer's own average of at least
     * {@code minAveraged}^2 level pixels, whatever filter made the slide's coarser levels.
     */
    public static RgbImage render(SlideReader reader, double downsample, long maxOutputPixels, double minAveraged) {
        if (!(downsample >= 1)) {
            throw new IllegalArgumentException("downsample must be >= 1: " + downsample);
        }
        SlideReader.LevelDimensions base = reader.levelDimensions(0);
        int outW = (int) Math.max(1, Math.ceil(base.width() / downsample));
        int outH = (int) Math.max(1, Math.ceil(base.height() / downsample));
        if ((long) outW * outH > maxOutputPixels) {
            throw new IllegalArgumentException("low-resolution image " + outW + "x" + outH
                    + " exceeds " + maxOutputPixels + " pixels");
        }
        int level = reader.bestLevelForDownsample(Math.max(1, downsample / Math.max(1, minAveraged)));
        SlideReader.LevelDimensions dims = reader.levelDimensions(level);
        double levelDs = reader.levelDownsample(level);
        double factor = downsample / levelDs; // level pixels per output pixel, >= 1
        int levelW = Math.toIntExact(dims.width());
        int levelH = Math.toIntExact(dims.height());

        long[] sumR = new long[outW];
        long[] sumG = new long[outW];
        long[] sumB = new long[outW];
        int[] count = new int[outW];
        int[] colToOut = new int[levelW];
        for (int x = 0; x < levelW; x++) {
            colToOut[x] = Math.min(outW - 1, (int) (x / factor));
        }
        int[] out = new int[outW * outH];
        java.util.Arrays.fill(out, -1);
        int stripeRows = (int) Math.max(1, Math.min(levelH, STRIPE_PIXELS / Math.max(1, levelW)));
        int[] stripe = new int[stripeRows * levelW];
        int currentOut = 0;
        for (int y0 = 0; y0 < levelH; y0 += stripeRows) {
            int h = Math.min(stripeRows, levelH - y0);
            reader.readRegion(0, (long) Math.floor(y0 * levelDs), level, levelW, h, stripe);
            for (int dy = 0; dy < h; dy++) {
                int oy = Math.min(outH - 1, (int) ((y0 + dy) / factor));
                if (oy != currentOut) {
                    flushRow(out, currentOut, outW, sumR, sumG, sumB, count);
                    currentOut = oy;
                }
                int rowBase = dy * levelW;
                for (int x = 0; x < levelW; x++) {
                    int p = stripe[rowBase + x];
                    int ox = colToOut[x];
                    sumR[ox] += (p >>> 16) & 0xFF;
                    sumG[ox] += (p >>> 8) & 0xFF;
                    sumB[ox] += p & 0xFF;
                    count[ox]++;
                }
            }
        }
        flushRow(out, currentOut, outW, sumR, sumG, sumB, count);
        // Output rows that no level row reached (rounding at the bottom edge) repeat the row above.
        for (int y = 1; y < outH; y++) {
            if (out[y * outW] == -1) {
                System.arraycopy(out, (y - 1) * outW, out, y * outW, outW);
            }
        }
        return new RgbImage(outW, outH, out, downsample);
    }

    private static void flushRow(int[] out, int row, int outW, long[] r, long[] g, long[] b, int[] n) {
        for (int x = 0; x < outW; x++) {
            if (n[x] == 0) {
                out[row * outW + x] = 0xFFFFFF;
                continue;
            }
            out[row * outW + x] = (int) ((r[x] / n[x]) << 16 | (g[x] / n[x]) << 8 | (b[x] / n[x]));
            r[x] = 0;
            g[x] = 0;
            b[x] = 0;
            n[x] = 0;
        }
    }
}
