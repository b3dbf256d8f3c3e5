package org.nic.training.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.nic.encoding.Orientation;

/**
 * Encoder inputs for calibrating a quantised encoder: every 128 px crop at a stride of images of H&E tissue,
 * in each of the 8 orientations of the dihedral group, as N x 3 x 128 x 128 floats in [-1, 1].
 */
public final class CalibrationPatches {

    private static final int SIDE = 128;
    private static final int PLANE = SIDE * SIDE;

    /** The patches and where they came from. */
    public record Patches(float[] values, int count, List<Path> files, int stride) { }

    private CalibrationPatches() {
    }

    /**
     * @param files images of tissue
     * @param scale factor that brings them to 0.5 um/px
     * @param stride pixels between crops
     */
    public static Patches of(List<Path> files, double scale, int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be positive");
        }
        List<int[]> images = files.stream().map(f -> pixels(f, scale)).toList();
        int count = 0;
        for (int[] img : images) {
            count += crops(img[0], stride) * crops(img[1], stride) * Orientation.COUNT;
        }
        if (count == 0) {
            throw new DatasetException("no 128 px crop fits in the calibration images " + files);
        }
        float[] out = new float[count * 3 * PLANE];
        float[] crop = new float[3 * PLANE];
        int n = 0;
        for (int[] img : images) {
            int w = img[0];
            int h = img[1];
            for (int y0 = 0; y0 + SIDE <= h; y0 += stride) {
                for (int x0 = 0; x0 + SIDE <= w; x0 += stride) {
                    for (int y = 0; y < SIDE; y++) {
                        for (int x = 0; x < SIDE; x++) {
                            int p = img[2 + (y0 + y) * w + x0 + x];
                            int i = y * SIDE + x;
                            crop[i] = ((p >> 16) & 0xFF) / 127.5f - 1;
                            crop[i + PLANE] = ((p >> 8) & 0xFF) / 127.5f - 1;
                            crop[i + 2 * PLANE] = (p & 0xFF) / 127.5f - 1;
                        }
                    }
                    for (int o = 0; o < Orientation.COUNT; o++) {
                        Orientation.patch(o, crop, 0, out, n++ * 3 * PLANE, SIDE);
                    }
                }
            }
        }
        return new Patches(out, count, List.copyOf(files), stride);
    }

    private static int crops(int side, int stride) {
        return side < SIDE ? 0 : (side - SIDE) / stride + 1;
    }

    /** {width, height, then RGB pixels row by row} of the image scaled to 0.5 um/px. */
    private static int[] pixels(Path file, double scale) {
        BufferedImage src = PatchDataset.readImage(file);
        int w = (int) Math.round(src.getWidth() * scale);
        int h = (int) Math.round(src.getHeight() * scale);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        int[] out = new int[2 + w * h];
        out[0] = w;
        out[1] = h;
        img.getRGB(0, 0, w, h, out, 2, w);
        return out;
    }
}
