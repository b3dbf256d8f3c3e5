package org.nic.grid;

import java.util.ArrayList;
import java.util.List;

/**
 * A slide's compressed grid in memory: C x H x W codes (float, C order) and the H x W tissue mask. Heads
 * train and predict on crops of it.
 *
 * @param slideId the slide
 * @param channels C
 * @param rows H
 * @param cols W
 * @param codes {@code C * H * W} values, {@code codes[(c * H + r) * W + col]}
 * @param tissue {@code H * W} flags
 */
public record CompressedGrid(String slideId, int channels, int rows, int cols, float[] codes, boolean[] tissue) {

    public CompressedGrid {
        if (codes.length != (long) channels * rows * cols || tissue.length != rows * cols) {
            throw new IllegalArgumentException("grid arrays do not match " + channels + "x" + rows + "x" + cols);
        }
    }

    /** {@code [row, col]} of every tissue cell, row-major. */
    public List<int[]> tissueCells() {
        List<int[]> cells = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (tissue[r * cols + c]) {
                    cells.add(new int[] {r, c});
                }
            }
        }
        return cells;
    }

    /** Whether a {@code size x size} crop can show the whole grid. */
    public boolean fitsIn(int size) {
        return rows <= size && cols <= size;
    }

    /**
     * The centre cell of a {@code size x size} crop that shows the whole grid, moved by {@code shiftRow} and
     * {@code shiftCol} (each in [-1, 1]) across the margin the crop leaves around it. A crop centred on a
     * tissue cell instead can cut a small slide's tissue in half, and with it the answer a slide-level label
     * gives about the whole slide (how much tumour there is).
     */
    public int[] wholeGridCentre(int size, double shiftRow, double shiftCol) {
        if (!fitsIn(size)) {
            throw new IllegalArgumentException("a " + size + "-cell crop cannot show a " + rows + " x " + cols + " grid");
        }
        // Top-left corner in [extent - size, 0]; centre = corner + size / 2.
        int top = (int) Math.round((rows - size) / 2.0 * (1 - shiftRow));
        int left = (int) Math.round((cols - size) / 2.0 * (1 - shiftCol));
        return new int[] {top + size / 2, left + size / 2};
    }

    /**
     * Writes the {@code size x size} crop centred on cell ({@code row}, {@code col}) into {@code out} at
     * {@code offset} as C x size x size, zero outside the grid, in one of the 8 orientations (4 rotations x
     * flip; 0 = as is).
     */
    public void crop(int row, int col, int size, int orientation, float[] out, int offset) {
        int top = row - size / 2;
        int left = col - size / 2;
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int sx = x;
                int sy = y;
                for (int k = 0; k < (orientation & 3); k++) {
                    int t = sx;
                    sx = size - 1 - sy;
                    sy = t;
                }
                if (orientation >= 4) {
                    sx = size - 1 - sx;
                }
                int gr = top + sy;
                int gc = left + sx;
                boolean inside = gr >= 0 && gr < rows && gc >= 0 && gc < cols;
                for (int c = 0; c < channels; c++) {
                    out[offset + c * plane + y * size + x] = inside ? codes[(c * rows + gr) * cols + gc] : 0f;
                }
            }
        }
    }
}
