package org.nic.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.grid.CompressedGrid;

/**
 * A head's answer per region of a slide: the head applied to a window of the grid around each tissue cell (or, on
 * large slides, around the cells of a coarser lattice, each tissue cell taking its lattice cell's value). What the
 * dashboard's region map draws and what the QuPath export writes, computed in one place so that both say the same.
 *
 * @param values one value per grid cell, row-major ({@code rows x cols}), NaN off tissue
 * @param output what a value is: {@code value} (regression), {@code log-risk} (survival), {@code P(class)}
 * @param window edge in cells of the window the head read
 * @param stride lattice step in cells (1: every tissue cell is its own region)
 * @param regions head evaluations made
 */
public record HeadRegions(int rows, int cols, float[] values, String output, int window, int stride, int regions) {

    /** The dashboard's defaults: most head evaluations for one slide, and the window's edge in cells. */
    public static final int MAX_REGIONS = 1024;
    public static final int WINDOW = 16;

    /**
     * The head's output around each tissue cell of {@code grid}.
     *
     * @param kind the task's kind ({@code REGRESSION}, {@code CLASSIFICATION}, {@code SURVIVAL})
     * @param classes a classification head's classes, in output order
     * @param classIndex the class whose probability is wanted (default: the last); ignored unless classification
     * @param window edge in cells of the window read around each region (at most the head's crop, at least 1)
     * @param maxRegions most head evaluations; larger slides are sampled on a lattice
     * @throws IllegalArgumentException for a class index out of range
     */
    public static HeadRegions of(OnnxHead head, CompressedGrid grid, TaskKind kind, List<String> classes, Integer classIndex,
                                 int window, int maxRegions) {
        List<int[]> cells = grid.tissueCells();
        int stride = Math.max(1, (int) Math.ceil(Math.sqrt(cells.size() / (double) Math.max(1, maxRegions))));
        Map<Long, Integer> representative = new LinkedHashMap<>();
        List<int[]> centres = new ArrayList<>();
        int[] of = new int[cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            int r = Math.min(grid.rows() - 1, cells.get(i)[0] / stride * stride + stride / 2);
            int c = Math.min(grid.cols() - 1, cells.get(i)[1] / stride * stride + stride / 2);
            long key = (long) r * grid.cols() + c;
            Integer k = representative.get(key);
            if (k == null) {
                k = centres.size();
                representative.put(key, k);
                centres.add(new int[] {r, c});
            }
            of[i] = k;
        }
        int edge = Math.max(1, window);
        float[][] out = centres.isEmpty() ? new float[0][] : head.predictEach(grid, edge, centres);
        String label;
        int index;
        boolean complement = false;
        if (kind == TaskKind.CLASSIFICATION) {
            int width = out.length == 0 ? 1 : out[0].length;
            int count = Math.max(classes == null ? 0 : classes.size(), width);
            int wanted = classIndex != null ? classIndex : count - 1;
            if (wanted < 0 || wanted >= count) {
                throw new IllegalArgumentException("class index " + wanted + " out of range (" + count + " classes)");
            }
            // One output is the probability of the second class; the first's is its complement.
            index = width == 1 ? 0 : wanted;
            complement = width == 1 && wanted == 0;
            label = "P(" + (classes != null && wanted < classes.size() ? classes.get(wanted) : String.valueOf(wanted)) + ")";
        } else {
            index = 0;
            label = kind == TaskKind.SURVIVAL ? "log-risk" : "value";
        }
        float[] values = new float[grid.rows() * grid.cols()];
        Arrays.fill(values, Float.NaN);
        for (int i = 0; i < cells.size(); i++) {
            float v = out[of[i]][index];
            values[cells.get(i)[0] * grid.cols() + cells.get(i)[1]] = complement ? 1 - v : v;
        }
        return new HeadRegions(grid.rows(), grid.cols(), values, label, edge, stride, centres.size());
    }

    /** The value at a cell (NaN off tissue). */
    public float at(int row, int col) {
        return values[row * cols + col];
    }
}
