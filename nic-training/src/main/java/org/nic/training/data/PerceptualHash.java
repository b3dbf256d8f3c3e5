package org.nic.training.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Difference hash (dHash): 64 bits, one per comparison of horizontally adjacent pixels of a 9 x 8 grey
 * thumbnail. LC25000's augmented twins are rotations and flips of an original, so two images are
 * near-duplicates when any of the 8 orientations of one is within a Hamming distance of the other.
 */
public final class PerceptualHash {

    private PerceptualHash() {
    }

    /** dHash of each of the 8 orientations (4 rotations x flip) of a square RGB image. */
    static long[] orientations(byte[] rgb, int side) {
        long[] hashes = new long[8];
        for (int o = 0; o < 8; o++) {
            hashes[o] = dhash(rgb, side, o);
        }
        return hashes;
    }

    static long dhash(byte[] rgb, int side, int orientation) {
        double[][] grey = new double[8][9];
        int[][] counts = new int[8][9];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int[] xy = orient(x, y, side, orientation);
                int i = (y * side + x) * 3;
                double v = 0.299 * (rgb[i] & 0xFF) + 0.587 * (rgb[i + 1] & 0xFF) + 0.114 * (rgb[i + 2] & 0xFF);
                int gy = xy[1] * 8 / side;
                int gx = xy[0] * 9 / side;
                grey[gy][gx] += v;
                counts[gy][gx]++;
            }
        }
        long h = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                double a = grey[y][x] / Math.max(1, counts[y][x]);
                double b = grey[y][x + 1] / Math.max(1, counts[y][x + 1]);
                h = (h << 1) | (a > b ? 1 : 0);
            }
        }
        return h;
    }

    private static int[] orient(int x, int y, int side, int o) {
        int m = side - 1;
        int rx = x;
        int ry = y;
        for (int r = 0; r < (o & 3); r++) {
            int t = rx;
            rx = m - ry;
            ry = t;
        }
        if (o >= 4) {
            rx = m - rx;
        }
        return new int[] {rx, ry};
    }

    /** Union-find over all pairs: images whose closest orientations differ by at most {@code maxDistance} bits. */
    static List<PatchExample> group(List<PatchExample> examples, int maxDistance) {
        int n = examples.size();
        long[][] hashes = new long[n][];
        for (int i = 0; i < n; i++) {
            hashes[i] = orientations(examples.get(i).rgb(), examples.get(i).side());
        }
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int best = 64;
                for (int o = 0; o < 8 && best > maxDistance; o++) {
                    best = Math.min(best, Long.bitCount(hashes[i][0] ^ hashes[j][o]));
                }
                if (best <= maxDistance) {
                    parent[find(parent, i)] = find(parent, j);
                }
            }
        }
        List<PatchExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PatchExample e = examples.get(i);
            out.add(new PatchExample(e.rgb(), e.side(), e.task(), e.label(), "dup" + find(parent, i), e.file()));
        }
        return out;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
