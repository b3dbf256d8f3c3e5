package org.nic.encoding;

/**
 * The 8 orientations of the paper's slide augmentation: {@code o & 3} clockwise quarter turns, then a
 * horizontal flip when {@code o >= 4}. Turning the slide moves cells and turns the pixels of each patch
 * alike, so cell and patch transforms here always agree.
 */
public final class Orientation {

    public static final int COUNT = 8;

    private Orientation() {
    }

    /** Whether the orientation swaps rows and columns. */
    public static boolean swapsAxes(int o) {
        return (o & 1) == 1;
    }

    /** Where cell (row, col) of a rows x cols grid lands: {@code [row', col']}. */
    public static int[] cell(int o, int row, int col, int rows, int cols) {
        int r = row;
        int c = col;
        int h = rows;
        int w = cols;
        for (int k = 0; k < (o & 3); k++) {
            int nr = c;
            int nc = h - 1 - r;
            r = nr;
            c = nc;
            int t = h;
            h = w;
            w = t;
        }
        if (o >= 4) {
            c = w - 1 - c;
        }
        return new int[] {r, c};
    }

    /** Writes the oriented copy of one NCHW patch ({@code n x n} per channel) from {@code src} into {@code dst}. */
    public static void patch(int o, float[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        int plane = n * n;
        for (int ch = 0; ch < 3; ch++) {
            int s = srcOffset + ch * plane;
            int d = dstOffset + ch * plane;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    // Undo the transform to find the source pixel of destination (y, x).
                    int sy = y;
                    int sx = x;
                    if (o >= 4) {
                        sx = n - 1 - sx;
                    }
                    for (int k = 0; k < (o & 3); k++) {
                        int py = n - 1 - sx; // inverse of a clockwise turn: (y, x) came from (n-1-x, y)
                        int px = sy;
                        sy = py;
                        sx = px;
                    }
                    dst[d + y * n + x] = src[s + sy * n + sx];
                }
            }
        }
    }

    /** Zarr array name of an orientation's codes: {@code codes} for the slide as scanned. */
    public static String arrayName(int o) {
        return o == 0 ? "codes" : "codes-orientation-" + o;
    }
}
