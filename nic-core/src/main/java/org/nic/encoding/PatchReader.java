package org.nic.encoding;

import org.nic.slide.SlideReader;
import org.nic.tiling.GridGeometry;

/**
 * Reads one planned cell as the encoder's input: the {@code readSize} square at the planned level,
 * area-resampled to 128 px when the plan says so, as NCHW floats in [-1, 1] ({@code v / 127.5 - 1}).
 * One instance per thread: it owns its pixel buffer.
 */
public final class PatchReader {

    private final SlideReader slide;
    private final GridGeometry grid;
    private final int[] pixels;

    public PatchReader(SlideReader slide, GridGeometry grid) {
        this.slide = slide;
        this.grid = grid;
        this.pixels = new int[grid.readSize() * grid.readSize()];
    }

    public void read(int row, int col, float[] out, int offset) {
        int size = grid.readSize();
        slide.readRegion(grid.cellX(col), grid.cellY(row), grid.level(), size, size, pixels);
        int plane = PatchEncoder.PATCH * PatchEncoder.PATCH;
        if (size == PatchEncoder.PATCH) {
            for (int i = 0; i < plane; i++) {
                int p = pixels[i];
                out[offset + i] = ((p >>> 16) & 0xFF) / 127.5f - 1;
                out[offset + plane + i] = ((p >>> 8) & 0xFF) / 127.5f - 1;
                out[offset + 2 * plane + i] = (p & 0xFF) / 127.5f - 1;
            }
            return;
        }
        resample(pixels, size, out, offset);
    }

    /** Area average of the source pixels each output pixel covers (bilinear when enlarging). */
    static void resample(int[] src, int size, float[] out, int offset) {
        int n = PatchEncoder.PATCH;
        int plane = n * n;
        double scale = (double) size / n;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double r = 0;
                double g = 0;
                double b = 0;
                if (scale >= 1) {
                    int x0 = (int) Math.floor(x * scale);
                    int x1 = Math.max(x0 + 1, (int) Math.floor((x + 1) * scale));
                    int y0 = (int) Math.floor(y * scale);
                    int y1 = Math.max(y0 + 1, (int) Math.floor((y + 1) * scale));
                    int count = 0;
                    for (int yy = y0; yy < Math.min(y1, size); yy++) {
                        for (int xx = x0; xx < Math.min(x1, size); xx++) {
                            int p = src[yy * size + xx];
                            r += (p >>> 16) & 0xFF;
                            g += (p >>> 8) & 0xFF;
                            b += p & 0xFF;
                            count++;
                        }
                    }
                    r /= count;
                    g /= count;
                    b /= count;
                } else {
                    double sx = Math.max(0, Math.min(size - 1, (x + 0.5) * scale - 0.5));
                    double sy = Math.max(0, Math.min(size - 1, (y + 0.5) * scale - 0.5));
                    int x0 = (int) sx;
                    int y0 = (int) sy;
                    int x1 = Math.min(size - 1, x0 + 1);
                    int y1 = Math.min(size - 1, y0 + 1);
                    double fx = sx - x0;
                    double fy = sy - y0;
                    for (int k = 0; k < 3; k++) {
                        int sh = 16 - 8 * k;
                        double v = (((src[y0 * size + x0] >>> sh) & 0xFF) * (1 - fx) + ((src[y0 * size + x1] >>> sh) & 0xFF) * fx) * (1 - fy)
                                + (((src[y1 * size + x0] >>> sh) & 0xFF) * (1 - fx) + ((src[y1 * size + x1] >>> sh) & 0xFF) * fx) * fy;
                        if (k == 0) {
                            r = v;
                        } else if (k == 1) {
                            g = v;
                        } else {
                            b = v;
                        }
                    }
                }
                int i = y * n + x;
                out[offset + i] = (float) (r / 127.5 - 1);
                out[offset + plane + i] = (float) (g / 127.5 - 1);
                out[offset + 2 * plane + i] = (float) (b / 127.5 - 1);
            }
        }
    }
}
