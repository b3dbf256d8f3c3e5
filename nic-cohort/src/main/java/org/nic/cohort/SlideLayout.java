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
 * a tissue-shaped region on glass and tumour at a given fraction of the tissue, in one of two families of
 * growth pattern. Within a family the patterns have the same composition by construction; only where things lie
 * differs.
 * <p>Compact or scattered ({@link #generate} with {@link Pattern#COMPACT}, {@link Pattern#SCATTERED}): stroma as
 * the ground, lymphocyte aggregates, mucosa, fat and debris in the rest;
 * <ul>
 *   <li>{@link Pattern#COMPACT}: one connected tumour region grown from a seed;</li>
 *   <li>{@link Pattern#SCATTERED}: tumour cells spread at random through the tissue (infiltrating).</li>
 * </ul>
 * <p>The histopathological growth patterns of colorectal liver metastases ({@link Pattern#DESMOPLASTIC},
 * {@link Pattern#REPLACEMENT}, {@link Pattern#MIXED}): one tumour mass in normal parenchyma, and what lies at its
 * border. Normal colonic mucosa stands for the parenchyma (the shared tissue set has no liver: mucosa is the normal
 * epithelial tissue of the organ these tiles come from, the tissue a tumour replaces); the rim is desmoplastic
 * stroma with lymphocytes, as in the pattern's definition.
 * <ul>
 *   <li>{@link Pattern#DESMOPLASTIC}: a rim of stroma (with lymphocyte clusters) one or two cells thick separates
 *       the tumour from the parenchyma all round;</li>
 *   <li>{@link Pattern#REPLACEMENT}: the tumour touches the parenchyma directly; the same stroma and lymphocytes lie
 *       in bands and aggregates away from it;</li>
 *   <li>{@link Pattern#MIXED}: a rim along part of the border (35-65% of it, one sector), replacement along the
 *       rest.</li>
 * </ul>
 * The class counts are the same whichever of the three patterns a slide gets (the same random draws make the same
 * tumour, the same rim size and the same amounts; only the rim cells' places differ), so that only the
 * arrangement at the tumour border answers the pattern.
 */
public final class SlideLayout {

    /** Growth pattern of the tumour. */
    public enum Pattern {
        COMPACT, SCATTERED, DESMOPLASTIC, REPLACEMENT, MIXED;

        /** Whether it is one of the liver-metastasis border patterns. */
        public boolean border() {
            return this == DESMOPLASTIC || this == REPLACEMENT || this == MIXED;
        }
    }

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
        if (pattern.border()) {
            return border(rows, cols, tumourFraction, pattern, random);
        }
        TissueClass[] map = new TissueClass[rows * cols];
        List<Integer> tissue = tissueRegion(map, rows, cols, TissueClass.STROMA, random);
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

    /**
     * A desmoplastic, replacement or mixed slide. Every random number is drawn in the same order whatever the
     * pattern, and the amounts of each class are fixed before any is placed.
     */
    static SlideLayout border(int rows, int cols, double tumourFraction, Pattern pattern, Random random) {
        TissueClass[] map = new TissueClass[rows * cols];
        List<Integer> tissue = tissueRegion(map, rows, cols, TissueClass.MUCOSA, random);
        SlideLayout layout = new SlideLayout(rows, cols, map);
        int n = tissue.size();
        // One tumour mass grown through the parenchyma from a cell near the tissue's centre.
        double ty = 0;
        double tx = 0;
        for (int i : tissue) {
            ty += i / cols;
            tx += i % cols;
        }
        ty /= n;
        tx /= n;
        double sy = ty + (random.nextDouble() - 0.5) * rows * 0.15;
        double sx = tx + (random.nextDouble() - 0.5) * cols * 0.15;
        int seed = tissue.stream().min(Comparator.comparingDouble(i -> Math.hypot(i / cols - sy, i % cols - sx))).orElseThrow();
        layout.growThrough(seed, (int) Math.round(tumourFraction * n), TissueClass.TUMOUR, TissueClass.MUCOSA, null, random);
        // The border zone: parenchyma within `width` cells (8-neighbourhood) of the tumour.
        int width = 1 + random.nextInt(2);
        boolean[] ring = layout.near(TissueClass.TUMOUR, width);
        boolean[] zone = layout.near(TissueClass.TUMOUR, width + 1);
        double lymphShare = 0.15 + 0.2 * random.nextDouble();
        double extraStroma = 0.02 + 0.04 * random.nextDouble();
        double sector = 0.35 + 0.3 * random.nextDouble();
        double start = random.nextDouble() * 2 * Math.PI;
        int adiposeBlobs = 1 + random.nextInt(2);
        double adiposeShare = 0.01 + 0.02 * random.nextDouble();
        int debris = 3 + random.nextInt(6);
        long placement = random.nextLong();
        // Amounts, whatever the pattern: the rim's cells of stroma and lymphocytes, extra stroma, fat, debris.
        List<Integer> ringCells = new ArrayList<>();
        for (int i = 0; i < map.length; i++) {
            if (ring[i]) {
                ringCells.add(i);
            }
        }
        int lymph = (int) Math.round(ringCells.size() * lymphShare);
        int stroma = ringCells.size() - lymph + (int) Math.round(n * extraStroma);
        int adipose = (int) Math.round(n * adiposeShare);
        // Where the rim is: all of the border, none of it, or one sector of it around the tumour's centre.
        double cy = 0;
        double cx = 0;
        int t = 0;
        for (int i = 0; i < map.length; i++) {
            if (map[i] == TissueClass.TUMOUR) {
                cy += i / cols;
                cx += i % cols;
                t++;
            }
        }
        cy /= Math.max(1, t);
        cx /= Math.max(1, t);
        List<Integer> rim = new ArrayList<>();
        for (int i : ringCells) {
            double angle = Math.atan2(i / cols - cy, i % cols - cx) - start;
            double turn = ((angle % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI) / (2 * Math.PI);
            if (pattern == Pattern.DESMOPLASTIC || pattern == Pattern.MIXED && turn < sector) {
                rim.add(i);
            }
        }
        Random place = new Random(placement);
        int rimLymph = (int) Math.round(rim.size() * lymphShare);
        rim.forEach(i -> map[i] = TissueClass.STROMA);
        // Lymphocytes cluster in the rim: a few aggregates grown through its stroma.
        layout.clusters(TissueClass.LYMPHOCYTES, TissueClass.STROMA, rimLymph, Math.max(1, rimLymph / 6), null, place);
        // What the rim did not take lies away from the tumour: stroma bands and lymphocyte aggregates in the
        // parenchyma, never in the border zone, so that they make no rim.
        boolean[] away = zone;
        layout.clusters(TissueClass.STROMA, TissueClass.MUCOSA, stroma - (rim.size() - rimLymph), 3 + place.nextInt(4), away, place);
        layout.clusters(TissueClass.LYMPHOCYTES, TissueClass.MUCOSA, lymph - rimLymph, 2 + place.nextInt(3), away, place);
        layout.clusters(TissueClass.ADIPOSE, TissueClass.MUCOSA, adipose, adiposeBlobs, away, place);
        layout.clusters(TissueClass.DEBRIS, TissueClass.MUCOSA, debris * 2, debris, away, place);
        return layout;
    }

    /**
     * Tissue: a lobed region around the centre covering 45-70% of the slide, a cell of glass at the edges; its cells
     * are set to {@code ground}, the rest of {@code map} to glass.
     */
    private static List<Integer> tissueRegion(TissueClass[] map, int rows, int cols, TissueClass ground, Random random) {
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
                    map[r * cols + c] = ground;
                    tissue.add(r * cols + c);
                }
            }
        }
        return tissue;
    }

    /** Cells within {@code width} cells (8-neighbourhood, Chebyshev distance) of a {@code type} cell, not of it. */
    boolean[] near(TissueClass type, int width) {
        boolean[] out = new boolean[cells.length];
        for (int i = 0; i < cells.length; i++) {
            if (cells[i] != type) {
                continue;
            }
            int r = i / cols;
            int c = i % cols;
            for (int y = Math.max(0, r - width); y <= Math.min(rows - 1, r + width); y++) {
                for (int x = Math.max(0, c - width); x <= Math.min(cols - 1, c + width); x++) {
                    int j = y * cols + x;
                    if (cells[j] != type && cells[j] != TissueClass.BACKGROUND) {
                        out[j] = true;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Exactly {@code total} cells of {@code type} (as far as {@code through} cells remain), in about {@code count}
     * organic clusters grown through {@code through} cells outside {@code forbidden} (null: anywhere); when those run
     * out, anywhere in {@code through}.
     */
    void clusters(TissueClass type, TissueClass through, int total, int count, boolean[] forbidden, Random random) {
        int left = total;
        int each = Math.max(1, (int) Math.ceil(total / (double) Math.max(1, count)));
        boolean[] avoid = forbidden;
        while (left > 0) {
            List<Integer> seeds = new ArrayList<>();
            for (int i = 0; i < cells.length; i++) {
                if (cells[i] == through && (avoid == null || !avoid[i])) {
                    seeds.add(i);
                }
            }
            if (seeds.isEmpty()) {
                if (avoid == null) {
                    return; // no such cell left at all
                }
                avoid = null;
                continue;
            }
            left -= growThrough(seeds.get(random.nextInt(seeds.size())), Math.min(each, left), type, through, avoid, random);
        }
    }

    /** {@link #grow} through any class, outside {@code forbidden}; returns the cells grown. */
    int growThrough(int seed, int size, TissueClass type, TissueClass through, boolean[] forbidden, Random random) {
        return growThrough(seed, size, type, through, forbidden, j -> random.nextDouble());
    }

    /** The growth: nearest cell first, its distance stretched by {@code jitter} of the cell (0..1). */
    private int growThrough(int seed, int size, TissueClass type, TissueClass through, boolean[] forbidden,
                            java.util.function.IntToDoubleFunction jitter) {
        int sr = seed / cols;
        int sc = seed % cols;
        PriorityQueue<double[]> frontier = new PriorityQueue<>(Comparator.comparingDouble(a -> a[0]));
        boolean[] queued = new boolean[cells.length];
        frontier.add(new double[] {0, seed});
        queued[seed] = true;
        int grown = 0;
        while (!frontier.isEmpty() && grown < size) {
            int i = (int) frontier.poll()[1];
            if (cells[i] != through || forbidden != null && forbidden[i]) {
                continue;
            }
            cells[i] = type;
            grown++;
            int r = i / cols;
            int c = i % cols;
            int[][] next = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
            for (int[] nb : next) {
                if (nb[0] < 0 || nb[1] < 0 || nb[0] >= rows || nb[1] >= cols) {
                    continue;
                }
                int j = nb[0] * cols + nb[1];
                if (!queued[j] && cells[j] == through && (forbidden == null || !forbidden[j])) {
                    queued[j] = true;
                    frontier.add(new double[] {Math.hypot(nb[0] - sr, nb[1] - sc) * (1 + 0.6 * jitter.applyAsDouble(j)), j});
                }
            }
        }
        return grown;
    }

    /**
     * Share of the parenchyma-side border of the tumour (tissue cells touching it, 8-neighbourhood) that is
     * stroma or lymphocytes: 1 for a desmoplastic rim, the ground rate for replacement. What the border patterns mean.
     */
    public double rimShare() {
        boolean[] border = near(TissueClass.TUMOUR, 1);
        int all = 0;
        int rim = 0;
        for (int i = 0; i < cells.length; i++) {
            if (border[i]) {
                all++;
                rim += cells[i] == TissueClass.STROMA || cells[i] == TissueClass.LYMPHOCYTES ? 1 : 0;
            }
        }
        return all == 0 ? 0 : (double) rim / all;
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
        growThrough(seed, size, type, TissueClass.STROMA, null, j -> jitter[j]);
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
