package org.nic.training.data;

import java.util.SplittableRandom;

/**
 * Turns a prepared patch into the encoder's input (3 x 128 x 128 floats in [-1, 1], NCHW), with the
 * papers' augmentation when training: 90-degree rotations and flips, small zoom and shift, HED stain
 * jitter (colour deconvolution with Ruifrok and Johnston's H&E-DAB matrix, each stain's concentration
 * scaled and shifted), brightness and contrast, and Gaussian noise.
 */
public final class Augmenter {

    public static final int OUT = 128;
    private static final int PLANE = OUT * OUT;
    /** Optical density vectors of haematoxylin, eosin and DAB (rows), normalised. */
    private static final double[][] STAINS = normalise(new double[][] {
        {0.65, 0.70, 0.29}, {0.07, 0.99, 0.11}, {0.27, 0.57, 0.78}});
    private static final double[][] UNMIX = invert(STAINS);

    /**
     * Augmentation strengths.
     *
     * @param zoom max relative zoom (0.1 = 0.9x..1.1x)
     * @param hed max HED jitter (concentration scale 1 +- hed, shift +- hed)
     * @param brightness max brightness shift, in [0, 1] intensity units
     * @param contrast max relative contrast change
     * @param noise max Gaussian noise sigma, in [0, 1] intensity units
     */
    public record Strength(double zoom, double hed, double brightness, double contrast, double noise) {
        public static Strength paper() {
            return new Strength(0.1, 0.05, 0.1, 0.2, 0.03);
        }
    }

    private final Strength strength;

    public Augmenter(Strength strength) {
        this.strength = strength;
    }

    /** The centre 128 px crop, unchanged: for validation and encoding. */
    public static void centre(PatchExample e, float[] out, int offset) {
        int margin = (e.side() - OUT) / 2;
        byte[] rgb = e.rgb();
        for (int y = 0; y < OUT; y++) {
            for (int x = 0; x < OUT; x++) {
                int i = ((y + margin) * e.side() + x + margin) * 3;
                int o = offset + y * OUT + x;
                out[o] = (rgb[i] & 0xFF) / 127.5f - 1;
                out[o + PLANE] = (rgb[i + 1] & 0xFF) / 127.5f - 1;
                out[o + 2 * PLANE] = (rgb[i + 2] & 0xFF) / 127.5f - 1;
            }
        }
    }

    /** An augmented 128 px patch written at {@code offset} of {@code out}. */
    public void augment(PatchExample e, SplittableRandom random, float[] out, int offset) {
        int side = e.side();
        double zoom = 1 + (random.nextDouble() * 2 - 1) * strength.zoom();
        double crop = Math.min(side, OUT * zoom);
        double x0 = random.nextDouble() * (side - crop);
        double y0 = random.nextDouble() * (side - crop);
        int rotation = random.nextInt(4);
        boolean flip = random.nextBoolean();
        double[] scale = new double[3];
        double[] shift = new double[3];
        for (int s = 0; s < 3; s++) {
            scale[s] = 1 + (random.nextDouble() * 2 - 1) * strength.hed();
            shift[s] = (random.nextDouble() * 2 - 1) * strength.hed();
        }
        double brightness = (random.nextDouble() * 2 - 1) * strength.brightness();
        double contrast = 1 + (random.nextDouble() * 2 - 1) * strength.contrast();
        double noise = random.nextDouble() * strength.noise();
        double step = crop / OUT;
        byte[] rgb = e.rgb();
        double[] c = new double[3];
        for (int y = 0; y < OUT; y++) {
            for (int x = 0; x < OUT; x++) {
                // Output pixel -> oriented source coordinate.
                int ox = x;
                int oy = y;
                for (int r = 0; r < rotation; r++) {
                    int t = ox;
                    ox = OUT - 1 - oy;
                    oy = t;
                }
                if (flip) {
                    ox = OUT - 1 - ox;
                }
                double sx = x0 + (ox + 0.5) * step - 0.5;
                double sy = y0 + (oy + 0.5) * step - 0.5;
                bilinear(rgb, side, sx, sy, c);
                // HED jitter in optical density space.
                double[] od = new double[3];
                for (int k = 0; k < 3; k++) {
                    od[k] = -Math.log((c[k] + 1) / 256.0);
                }
                double[] conc = new double[3];
                for (int s = 0; s < 3; s++) {
                    double v = 0;
                    for (int k = 0; k < 3; k++) {
                        v += od[k] * UNMIX[k][s];
                    }
                    conc[s] = v * scale[s] + shift[s];
                }
                int o = offset + y * OUT + x;
                for (int k = 0; k < 3; k++) {
                    double d = 0;
                    for (int s = 0; s < 3; s++) {
                        d += conc[s] * STAINS[s][k];
                    }
                    double v = (256 * Math.exp(-d) - 1) / 255.0;
                    v = (v - 0.5) * contrast + 0.5 + brightness;
                    if (noise > 0) {
                        v += random.nextDouble() < 0.5 ? gaussian(random) * noise : -gaussian(random) * noise;
                    }
                    v = Math.max(0, Math.min(1, v));
                    out[o + k * PLANE] = (float) (v * 2 - 1);
                }
            }
        }
    }

    private static double gaussian(SplittableRandom r) {
        double u = Math.max(1e-12, r.nextDouble());
        return Math.abs(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()));
    }

    private static void bilinear(byte[] rgb, int side, double x, double y, double[] out) {
        x = Math.max(0, Math.min(side - 1, x));
        y = Math.max(0, Math.min(side - 1, y));
        int x0 = (int) x;
        int y0 = (int) y;
        int x1 = Math.min(side - 1, x0 + 1);
        int y1 = Math.min(side - 1, y0 + 1);
        double fx = x - x0;
        double fy = y - y0;
        for (int k = 0; k < 3; k++) {
            double a = rgb[(y0 * side + x0) * 3 + k] & 0xFF;
            double b = rgb[(y0 * side + x1) * 3 + k] & 0xFF;
            double c = rgb[(y1 * side + x0) * 3 + k] & 0xFF;
            double d = rgb[(y1 * side + x1) * 3 + k] & 0xFF;
            out[k] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
        }
    }

    private static double[][] normalise(double[][] m) {
        double[][] out = new double[3][3];
        for (int r = 0; r < 3; r++) {
            double n = Math.sqrt(m[r][0] * m[r][0] + m[r][1] * m[r][1] + m[r][2] * m[r][2]);
            for (int c = 0; c < 3; c++) {
                out[r][c] = m[r][c] / n;
            }
        }
        return out;
    }

    static double[][] invert(double[][] m) {
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        double[][] inv = new double[3][3];
        inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
        inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
        inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
        inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
        inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
        inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
        inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
        inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
        inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
        return inv;
    }
}
