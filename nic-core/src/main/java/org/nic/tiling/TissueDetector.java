package org.nic.tiling;

import java.util.ArrayDeque;

/**
 * Finds tissue on a low-resolution image of a slide.
 *
 * <ol>
 *   <li>Each pixel's HSV saturation and value are computed. Pixels darker than {@code darkValue}
 *       (debris, folds, black ink) and saturated pixels whose hue lies in the pen range (green and blue
 *       markers; H&E stains are pink to purple) are excluded.</li>
 *   <li>An Otsu threshold is computed on the saturation histogram of the remaining pixels, floored at
 *       {@code minSaturation}; pixels above it are tissue.</li>
 *   <li>A morphological closing, then an opening, with discs of the configured radii.</li>
 *   <li>Connected components (8-connected) smaller than {@code minComponentArea} are dropped.</li>
 * </ol>
 */
public final class TissueDetector {

    private final TissueParameters parameters;

    public TissueDetector(TissueParameters parameters) {
        this.parameters = parameters;
    }

    public TissueMask detect(RgbImage image, double spacing) {
        int w = image.width();
        int h = image.height();
        int n = w * h;
        int[] saturation = new int[n];
        boolean[] excluded = new boolean[n];
        long[] histogram = new long[256];
        for (int i = 0; i < n; i++) {
            int p = image.pixels()[i];
            int r = (p >>> 16) & 0xFF;
            int g = (p >>> 8) & 0xFF;
            int b = p & 0xFF;
            int max = Math.max(r, Math.max(g, b));
            int min = Math.min(r, Math.min(g, b));
            int s = max == 0 ? 0 : (255 * (max - min)) / max;
            saturation[i] = s;
            if (max < parameters.darkValue() || isPen(r, g, b, max, min, s)) {
                excluded[i] = true;
            } else {
                histogram[s]++;
            }
        }
        int threshold = Math.max(parameters.minSaturation(), otsu(histogram));
        boolean[] tissue = new boolean[n];
        for (int i = 0; i < n; i++) {
            tissue[i] = !excluded[i] && saturation[i] > threshold;
        }
        double pixelUm = image.downsample() * spacing;
        int closing = (int) Math.round(parameters.closingRadius() / pixelUm);
        int opening = (int) Math.round(parameters.openingRadius() / pixelUm);
        tissue = erode(dilate(tissue, w, h, closing), w, h, closing);
        tissue = dilate(erode(tissue, w, h, opening), w, h, opening);
        long minPixels = Math.round(parameters.minComponentArea() / (pixelUm * pixelUm));
        removeSmallComponents(tissue, w, h, minPixels);
        return new TissueMask(w, h, tissue, image.downsample(), threshold);
    }

    private boolean isPen(int r, int g, int b, int max, int min, int s) {
        if (s < parameters.penMinSaturation() || max == min) {
            return false;
        }
        double hue;
        double d = max - min;
        if (max == r) {
            hue = 60 * (((g - b) / d) % 6);
        } else if (max == g) {
            hue = 60 * ((b - r) / d + 2);
        } else {
            hue = 60 * ((r - g) / d + 4);
        }
        if (hue < 0) {
            hue += 360;
        }
        return hue >= parameters.penHueMin() && hue <= parameters.penHueMax();
    }

    /** Otsu's threshold: the level that maximises between-class variance. */
    static int otsu(long[] histogram) {
        long total = 0;
        double sumAll = 0;
        for (int i = 0; i < histogram.length; i++) {
            total += histogram[i];
            sumAll += (double) i * histogram[i];
        }
        if (total == 0) {
            return 255;
        }
        double sumBelow = 0;
        long below = 0;
        double bestVariance = -1;
        int best = 0;
        for (int t = 0; t < histogram.length; t++) {
            below += histogram[t];
            if (below == 0) {
                continue;
            }
            long above = total - below;
            if (above == 0) {
                break;
            }
            sumBelow += (double) t * histogram[t];
            double meanBelow = sumBelow / below;
            double meanAbove = (sumAll - sumBelow) / above;
            double variance = (double) below * above * (meanBelow - meanAbove) * (meanBelow - meanAbove);
            if (variance > bestVariance) {
                bestVariance = variance;
                best = t;
            }
        }
        return best;
    }

    static boolean[] dilate(boolean[] in, int w, int h, int radius) {
        return morph(in, w, h, radius, true);
    }

    static boolean[] erode(boolean[] in, int w, int h, int radius) {
        return morph(in, w, h, radius, false);
    }

    /** Disc structuring element; outside the image counts as background for both operations. */
    private static boolean[] morph(boolean[] in, int w, int h, int radius, boolean dilate) {
        if (radius <= 0) {
            return in;
        }
        int[] span = new int[radius + 1];
        for (int dy = 0; dy <= radius; dy++) {
            span[dy] = (int) Math.floor(Math.sqrt((double) radius * radius - (double) dy * dy));
        }
        boolean[] out = new boolean[in.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean result = !dilate;
                search:
                for (int dy = -radius; dy <= radius; dy++) {
                    int yy = y + dy;
                    int sx = span[Math.abs(dy)];
                    for (int dx = -sx; dx <= sx; dx++) {
                        int xx = x + dx;
                        boolean v = yy >= 0 && yy < h && xx >= 0 && xx < w && in[yy * w + xx];
                        if (dilate && v) {
                            result = true;
                            break search;
                        }
                        if (!dilate && !v) {
                            result = false;
                            break search;
                        }
                    }
                }
                out[y * w + x] = result;
            }
        }
        return out;
    }

    static void removeSmallComponents(boolean[] mask, int w, int h, long minPixels) {
        if (minPixels <= 1) {
            return;
        }
        int[] label = new int[mask.length];
        int next = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        int[] members = new int[mask.length];
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || label[start] != 0) {
                continue;
            }
            next++;
            int size = 0;
            label[start] = next;
            queue.add(start);
            while (!queue.isEmpty()) {
                int i = queue.poll();
                members[size++] = i;
                int x = i % w;
                int y = i / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) {
                            continue;
                        }
                        int j = yy * w + xx;
                        if (mask[j] && label[j] == 0) {
                            label[j] = next;
                            queue.add(j);
                        }
                    }
                }
            }
            if (size < minPixels) {
                for (int k = 0; k < size; k++) {
                    mask[members[k]] = false;
                }
            }
        }
    }
}
