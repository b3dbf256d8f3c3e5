package org.nic.dashboard.viewer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;

/**
 * Benchmark (not a test) of the viewer's tiles: the first view of a slide (open it, the home view's tiles, cold), then
 * {@code viewers} viewers at once, each zooming from the whole slide down to level 0 at random places, asking for
 * every tile of a 1400 x 1000 px view at each level, through the dashboard's own tile path ({@link SlideTiles#make})
 * and its tile cache (64 MiB). Prints the latency of every tile request (cache hits included: what a viewer waits
 * for) at the 50th and 95th percentiles and the maximum, and the same for the tiles that were made. HTTP, the login
 * and the browser are not in it. Run with bench/viewer.sh.
 *
 * <p>Arguments: slide path, viewers (default 4), zoom paths per viewer (default 3), seed (default 7).
 */
public final class TileBenchmark {

    static final int VIEW_WIDTH = 1400;
    static final int VIEW_HEIGHT = 1000;

    record Request(long nanos, boolean made) { }

    public static void main(String[] args) throws Exception {
        Path slide = Path.of(args[0]);
        int viewers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int paths = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 7;
        long t0 = System.nanoTime();
        TileCache cache = new TileCache(64L << 20);
        try (SlideReader reader = SlideReaders.installed().open(slide)) {
            var dims = reader.levelDimensions(0);
            DeepZoomGrid grid = new DeepZoomGrid(dims.width(), dims.height(), 254, 1);
            int home = homeLevel(grid);
            List<Request> first = new ArrayList<>();
            view(reader, grid, cache, home, grid.levelWidth(home) / 2.0, grid.levelHeight(home) / 2.0, first);
            double firstView = (System.nanoTime() - t0) / 1e9;
            System.out.printf("slide %s: %d x %d px, %d pyramid levels; Deep Zoom levels 0-%d, home view at level %d%n",
                    slide.getFileName(), dims.width(), dims.height(), reader.levelCount(), grid.maxLevel(), home);
            System.out.printf("first view (open the slide, %d tiles of the home view), cold JVM: %.3f s%n", first.size(), firstView);
            // A running server has its JPEG writer and readers warm: a slide it has not shown yet is opened anew and
            // its tiles are made with an empty cache.
            long t1 = System.nanoTime();
            try (SlideReader again = SlideReaders.installed().open(slide)) {
                view(again, new DeepZoomGrid(dims.width(), dims.height(), 254, 1), new TileCache(64L << 20), home,
                        grid.levelWidth(home) / 2.0, grid.levelHeight(home) / 2.0, new ArrayList<>());
            }
            System.out.printf("first view of a slide not seen yet, warm JVM (open, home tiles, empty cache): %.3f s%n",
                    (System.nanoTime() - t1) / 1e9);

            ExecutorService pool = Executors.newFixedThreadPool(viewers);
            List<Future<List<Request>>> runs = new ArrayList<>();
            long start = System.nanoTime();
            for (int v = 0; v < viewers; v++) {
                Random random = new Random(seed + v);
                runs.add(pool.submit(() -> {
                    List<Request> out = new ArrayList<>();
                    for (int p = 0; p < paths; p++) {
                        double fx = 0.1 + 0.8 * random.nextDouble();
                        double fy = 0.1 + 0.8 * random.nextDouble();
                        for (int level = home; level <= grid.maxLevel(); level++) {
                            view(reader, grid, cache, level, fx * grid.levelWidth(level), fy * grid.levelHeight(level), out);
                        }
                    }
                    return out;
                }));
            }
            List<Request> all = new ArrayList<>();
            for (Future<List<Request>> f : runs) {
                all.addAll(f.get());
            }
            double wall = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            System.out.printf("%d viewers at once, %d zoom paths each (levels %d-%d): %d tile requests in %.1f s (%d cores)%n",
                    viewers, paths, home, grid.maxLevel(), all.size(), wall, Runtime.getRuntime().availableProcessors());
            print("every request", all.stream().map(Request::nanos).toList());
            print("tiles made (cache misses)", all.stream().filter(Request::made).map(Request::nanos).toList());
            System.out.printf("cache: %d tiles, %d MB%n", cache.size(), cache.bytes() >> 20);
        }
    }

    /** The highest level at which the whole slide fits the view. */
    static int homeLevel(DeepZoomGrid grid) {
        int level = 0;
        while (level < grid.maxLevel() && grid.levelWidth(level + 1) <= VIEW_WIDTH && grid.levelHeight(level + 1) <= VIEW_HEIGHT) {
            level++;
        }
        return level;
    }

    /** Every tile of a view centred on (cx, cy) at {@code level}, in row order, timed one by one. */
    static void view(SlideReader reader, DeepZoomGrid grid, TileCache cache, int level, double cx, double cy,
                     List<Request> out) {
        int ts = grid.tileSize();
        int c0 = (int) Math.max(0, Math.floor((cx - VIEW_WIDTH / 2.0) / ts));
        int c1 = (int) Math.min(grid.columns(level) - 1, Math.floor((cx + VIEW_WIDTH / 2.0) / ts));
        int r0 = (int) Math.max(0, Math.floor((cy - VIEW_HEIGHT / 2.0) / ts));
        int r1 = (int) Math.min(grid.rows(level) - 1, Math.floor((cy + VIEW_HEIGHT / 2.0) / ts));
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                DeepZoomGrid.Tile t = grid.tile(level, c, r);
                boolean[] made = {false};
                long start = System.nanoTime();
                cache.get("bench/" + level + "/" + c + "_" + r, () -> {
                    made[0] = true;
                    return SlideTiles.make(reader, t, "bench", 16L << 20, 0.85);
                });
                out.add(new Request(System.nanoTime() - start, made[0]));
            }
        }
    }

    static void print(String what, List<Long> nanos) {
        if (nanos.isEmpty()) {
            System.out.printf("%s: none%n", what);
            return;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("%s (%d): p50 %.1f ms, p95 %.1f ms, max %.1f ms%n", what, sorted.size(), quantile(sorted, 0.5) / 1e6,
                quantile(sorted, 0.95) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
    }

    /** The nearest-rank quantile. */
    static double quantile(List<Long> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }
}
