package org.nic.dashboard.overlay;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Per-cell colours drawn as a transparent PNG the size of the slide's thumbnail, so the page lays it over
 * the thumbnail as is: cell (r, c) covers thumbnail pixels {@code [c * cell, (c + 1) * cell)} across and the
 * same down, {@code cell = cellSizeLevel0 / maskDownsample} (the plan's geometry, docs/tiling.md).
 */
public final class OverlayImages {

    /** The thumbnail's size and a cell's edge in its pixels. */
    public record Geometry(int width, int height, double cellPixels) {
        public Geometry {
            if (width < 1 || height < 1 || width > 8192 || height > 8192 || !(cellPixels > 0)) {
                throw new IllegalArgumentException("bad overlay geometry " + width + "x" + height + ", cell " + cellPixels);
            }
        }
    }

    private static final int[] VIRIDIS = {0x440154, 0x3b528b, 0x21918c, 0x5ec962, 0xfde725};

    private OverlayImages() {
    }

    /** Three score planes to RGB, each stretched over its 2nd-98th percentile on tissue; NaN = transparent. */
    public static int[] rgb(float[][] scores) {
        int cells = scores[0].length;
        int[] argb = new int[cells];
        double[][] range = new double[3][];
        for (int k = 0; k < 3; k++) {
            range[k] = k < scores.length ? percentiles(scores[k], 0.02, 0.98) : new double[] {0, 1};
        }
        for (int i = 0; i < cells; i++) {
            if (Float.isNaN(scores[0][i])) {
                continue;
            }
            int rgb = 0;
            for (int k = 0; k < 3; k++) {
                double v = k < scores.length ? scores[k][i] : 0;
                rgb = (rgb << 8) | channel(v, range[k][0], range[k][1]);
            }
            argb[i] = 0xFF000000 | rgb;
        }
        return argb;
    }

    /** One value plane through the viridis colour map over [min, max]; NaN = transparent. */
    public static int[] viridis(float[] values, double min, double max) {
        int[] argb = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                continue;
            }
            double t = max > min ? Math.min(1, Math.max(0, (values[i] - min) / (max - min))) : 0.5;
            double pos = t * (VIRIDIS.length - 1);
            int lo = Math.min(VIRIDIS.length - 2, (int) Math.floor(pos));
            double f = pos - lo;
            int rgb = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                int a = (VIRIDIS[lo] >> shift) & 0xFF;
                int b = (VIRIDIS[lo + 1] >> shift) & 0xFF;
                rgb |= ((int) Math.round(a + (b - a) * f)) << shift;
            }
            argb[i] = 0xFF000000 | rgb;
        }
        return argb;
    }

    /** The {@code q}-quantiles (nearest rank) of the finite values; {0, 1} when there are none. */
    public static double[] percentiles(float[] values, double... q) {
        float[] finite = new float[values.length];
        int n = 0;
        for (float v : values) {
            if (Float.isFinite(v)) {
                finite[n++] = v;
            }
        }
        double[] out = new double[q.length];
        if (n == 0) {
            for (int i = 0; i < q.length; i++) {
                out[i] = i;
            }
            return out;
        }
        Arrays.sort(finite, 0, n);
        for (int i = 0; i < q.length; i++) {
            out[i] = finite[(int) Math.min(n - 1, Math.max(0, Math.round(q[i] * (n - 1))))];
        }
        return out;
    }

    /** The cells' colours ({@code rows * cols}, row-major ARGB, alpha 0 = not drawn) as a PNG. */
    public static byte[] png(Geometry g, int rows, int cols, int[] argb) {
        BufferedImage image = new BufferedImage(g.width(), g.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D graphics = image.createGraphics();
        try {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int colour = argb[r * cols + c];
                    if ((colour >>> 24) == 0) {
                        continue;
                    }
                    graphics.setColor(new Color(colour, true));
                    graphics.fill(new Rectangle2D.Double(c * g.cellPixels(), r * g.cellPixels(), g.cellPixels(),
                            g.cellPixels()));
                }
            }
        } finally {
            graphics.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int channel(double v, double lo, double hi) {
        double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        return (int) Math.round(255 * Math.min(1, Math.max(0, t)));
    }
}
