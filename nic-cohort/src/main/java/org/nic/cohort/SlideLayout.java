package org.nic.cohort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The tissue map of a synthetic slide at NIC's cell resolution (one cell = one 128 px patch at 0.5 um/px):
 * a tissue-shaped region on glass, tumour placed in one of two growth patterns at a given fraction of the
 * tissue, and stroma, lymphocyte aggregates, mucosa, fat and debris in the rest. The two patterns have the
 * same composition by construction; only where the tumour lies differs:
 * <ul>
 *   <li>{@link Pattern#COMPACT}: one connected tumour region grown from a seed;</li>
 *   <li>{@link Pattern#SCATTERED}: tumour cells spread at random through the tissue (infiltrating).</li>
 * </ul>
 * Everything else is drawn independently of the pattern.
 */
public final class SlideLayout {

    /** Growth pattern of the tumour. */
    public enum Pattern { COMPACT, SCATTERED }

    private final int rows;
    private final int cols;
    private final TissueClass[] cells;

    private SlideLayout(int rows, int cols, TissueClass[] cells) {
        this.rows = rows;
        this.cols = cols;
        this.cells = cells;
    }

    /**
     * @param rows cells down
     * @param cols cells across
     * @param tumourFraction share of the tissue cells that are tumour
     * @param pattern where the tumour lies
     * @param random the slide's random source (everything is drawn from it, in a fixed order)
     */
    public static SlideLayout generate(int rows, int cols, double tumourFraction, Pattern pattern, Random random) {
        TissueClass[] map = new TissueClass[rows * cols];
        java.util.Arrays.fill(map, TissueClass.BACKGROUND);
        // Tissue: a lobed region around the centre covering 45-70% of the slide, a cell of glass at the edges.
        double coverage = 0.45 + 0.25 * random.nextDouble();
        double radius = Math.sqrt(coverage * rows * cols / Math.PI);
        double cy = rows / 2.0 + (random.nextDouble() - 0.5) * rows * 0.1;
        double cx = cols / 2.0 + (random.nextDouble() - 0.5) * cols * 0.1;
        double[] amplitude = new double[7];
        double[] phase = new double[7];
        for (int k = 2; k < 7; k++) {
            amplitude[k] = random.nextDouble() * 0.16 / k;
            phase[k] = random.nextDouble() * 2 * Math.PI;
        }
        List<Integer> tissue = new ArrayList<>();
        for (int r = 1; r < rows - 1; r++) {
            for (int c = 1; c < cols - 1; c++) {
                double dy = (r + 0.5 - cy) / (rows / 2.0) * radius;
                double dx = (c + 0.5 - cx) / (cols / 2.0) * radius;
                double theta = Math.atan2(dy, dx);
                double edge = radius;
                for (int k = 2; k < 7; k++) {
                    edge += radius * amplitude[k] * Math.cos(k * theta + phase[k]);
                }
                double dist = Math.hypot((r + 0.5 - cy), (c + 0.5 - cx));
                if (dist < edge) {
                    map[r * cols + c] = TissueClass.STROMA;
                    tissue.add(r * cols + c);
                }
            }
        }
        SlideLayout layout = new SlideLayout(rows, cols, map);
        int tumour = (int) Math.round(tumourFraction * tissue.size());
        if (pattern == Pattern.COMPACT) {
            layout.grow(tissue.get(random.nextInt(tissue.size())), tumour, TissueClass.TUMOUR, random);
        } else {
            List<Integer> shuffled = new ArrayList<>(tissue);
            java.util.Collections.shuffle(shuffled, random);
            shuffled.subList(0, tumour).forEach(i -> map[i] = TissueClass.TUMOUR);
        }
        // The rest of the tissue, independent of the pattern: aggregates grown through stroma only.
        int n = tissue.size();
        layout.blobs(TissueClass.LYMPHOCYTES, 2 + random.nextInt(4), n * 0.01, n * 0.03, random);
        layout.blobs(TissueClass.MUCOSA, 1 + random.nextInt(2), n * 0.02, n * 0.06, random);
        layout.blobs(TissueClass.ADIPOSE, 1 + random.nextInt(2), n * 0.01, n * 0.04, random);
        layout.blobs(TissueClass.DEBRIS, 3 + random.nextInt(6), 1, 4, random);
        return layout;
    }

    /** {@code count} blobs of {@code type}, each of a size drawn between min and max, grown through stroma. */
    private void blobs(TissueClass type, int count, double min, double max, Random random) {
        for (int b = 0; b < count; b++) {
            int size = (int) Math.round(min + random.nextDouble() * (max - min));
            List<Integer> stroma = indicesOf(TissueClass.STROMA);
            if (stroma.isEmpty() || size <= 0) {
                return;
            }
            grow(stroma.get(random.nextInt(stroma.size())), size, type, random);
        }
    }

    /**
     * Grows a connected region of {@code size} cells from {@code seed} through stroma cells (4-neighbours),
     * nearest first with a random distortion, so regions are organic rather than discs.
     */
    private void grow(int seed, int size, TissueClass type, Random random) {
        double[] jitter = new double[cells.length];
        for (int i = 0; i < jitter.length; i++) {
            jitter[i] = random.nextDouble();
        }
        int sr = seed / cols;
        int sc = seed % cols;
        PriorityQueue<double[]> frontier = new PriorityQueue<>(Comparator.comparingDouble(a -> a[0]));
        boolean[] queued = new boolean[cells.length];
        frontier.add(new double[] {0, seed});
        queued[seed] = true;
        int grown = 0;
        while (!frontier.isEmpty() && grown < size) {
            int i = (int) frontier.poll()[1];
            if (cells[i] != TissueClass.STROMA) {
                continue;
            }
            cells[i] = type;
            grown++;
            int r = i / cols;
            int c = i % cols;
            int[][] next = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
            for (int[] n : next) {
                if (n[0] < 0 || n[1] < 0 || n[0] >= rows || n[1] >= cols) {
                    continue;
                }
                int j = n[0] * cols + n[1];
                if (!queued[j] && cells[j] == TissueClass.STROMA) {
                    queued[j] = true;
                    frontier.add(new double[] {Math.hypot(n[0] - sr, n[1] - sc) * (1 + 0.6 * jitter[j]), j});
                }
            }
        }
    }

    private List<Integer> indicesOf(TissueClass type) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < cells.length; i++) {
            if (cells[i] == type) {
                out.add(i);
            }
        }
        return out;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public TissueClass at(int row, int col) {
        return cells[row * cols + col];
    }

    /** Cells of each class. */
    public Map<TissueClass, Integer> counts() {
        Map<TissueClass, Integer> out = new EnumMap<>(TissueClass.class);
        for (TissueClass t : TissueClass.values()) {
            out.put(t, 0);
        }
        for (TissueClass t : cells) {
            out.merge(t, 1, Integer::sum);
        }
        return out;
    }

    public int tissueCells() {
        return cells.length - counts().get(TissueClass.BACKGROUND);
    }

    /** Share of the tissue cells that are tumour. */
    public double tumourFraction() {
        return (double) counts().get(TissueClass.TUMOUR) / tissueCells();
    }

    /**
     * Share of tumour cells' 4-neighbours that are tumour too: near 1 for a compact region, near the
     * tumour fraction for scattered cells. What arrangement means here.
     */
    public double tumourCohesion() {
        int same = 0;
        int all = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (at(r, c) != TissueClass.TUMOUR) {
                    continue;
                }
                int[][] next = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
                for (int[] n : next) {
                    if (n[0] >= 0 && n[1] >= 0 && n[0] < rows && n[1] < cols && at(n[0], n[1]) != TissueClass.BACKGROUND) {
                        all++;
                        same += at(n[0], n[1]) == TissueClass.TUMOUR ? 1 : 0;
                    }
                }
            }
        }
        return all == 0 ? 0 : (double) same / all;
    }
}
