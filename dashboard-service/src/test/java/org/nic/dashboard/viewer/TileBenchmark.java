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
 * every tile of a 1400 x 1000 px view at each level. Prints the latency of every tile request (cache hits included:
 * what a viewer waits for) at the 50th and 95th percentiles and the maximum. Run with bench/viewer.sh.
 *
 * <p>Two paths. In-process (arguments: slide path, viewers (4), zoom paths per viewer (3), seed (7)): the dashboard's
 * own tile path ({@link SlideTiles#make}) and its tile cache (64 MiB), without HTTP, the login or the browser; it also
 * prints the tiles that were made. Over HTTP ({@code --http URL SLIDE_ID OTHER_SLIDE_ID [viewers] [paths] [seed]}, the
 * access token in {@code NIC_BENCH_TOKEN}): a running dashboard, each viewer its own HTTP client sending the token as a
 * browser's session would send its cookie, through the login check and the roles; the first view is the viewer's
 * metadata, the Deep Zoom descriptor and the home view's tiles, of the first slide (the server's first slide) and then
 * of the other (a slide the running server has not shown yet).
 */
public final class TileBenchmark {

    static final int VIEW_WIDTH = 1400;
    static final int VIEW_HEIGHT = 1000;

    record Request(long nanos, boolean made) { }

    /** One tile request, timed by the caller. Returns whether the tile was made (not a cache hit), when known. */
    interface Tiles {
        boolean fetch(int level, int col, int row) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--http")) {
            http(args);
            return;
        }
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

            long start = System.nanoTime();
            List<Request> all = viewers(grid, home, viewers, paths, seed, v -> inProcess(reader, grid, cache));
            double wall = (System.nanoTime() - start) / 1e9;
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
                     List<Request> out) throws Exception {
        view(grid, level, cx, cy, out, inProcess(reader, grid, cache));
    }

    /** The dashboard's own tile path and cache, without HTTP. */
    static Tiles inProcess(SlideReader reader, DeepZoomGrid grid, TileCache cache) {
        return (level, col, row) -> {
            DeepZoomGrid.Tile t = grid.tile(level, col, row);
            boolean[] made = {false};
            cache.get("bench/" + level + "/" + col + "_" + row, () -> {
                made[0] = true;
                return SlideTiles.make(reader, t, "bench", 16L << 20, 0.85);
            });
            return made[0];
        };
    }

    static void view(DeepZoomGrid grid, int level, double cx, double cy, List<Request> out, Tiles tiles) throws Exception {
        int ts = grid.tileSize();
        int c0 = (int) Math.max(0, Math.floor((cx - VIEW_WIDTH / 2.0) / ts));
        int c1 = (int) Math.min(grid.columns(level) - 1, Math.floor((cx + VIEW_WIDTH / 2.0) / ts));
        int r0 = (int) Math.max(0, Math.floor((cy - VIEW_HEIGHT / 2.0) / ts));
        int r1 = (int) Math.min(grid.rows(level) - 1, Math.floor((cy + VIEW_HEIGHT / 2.0) / ts));
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                long start = System.nanoTime();
                boolean made = tiles.fetch(level, c, r);
                out.add(new Request(System.nanoTime() - start, made));
            }
        }
    }

    /** {@code viewers} at once, each {@code paths} zooms from {@code home} to level 0 at random places; every request. */
    static List<Request> viewers(DeepZoomGrid grid, int home, int viewers, int paths, long seed,
                                 java.util.function.IntFunction<Tiles> tilesOfViewer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(viewers);
        try {
            List<Future<List<Request>>> runs = new ArrayList<>();
            for (int v = 0; v < viewers; v++) {
                Random random = new Random(seed + v);
                Tiles tiles = tilesOfViewer.apply(v);
                runs.add(pool.submit(() -> {
                    List<Request> out = new ArrayList<>();
                    for (int p = 0; p < paths; p++) {
                        double fx = 0.1 + 0.8 * random.nextDouble();
                        double fy = 0.1 + 0.8 * random.nextDouble();
                        for (int level = home; level <= grid.maxLevel(); level++) {
                            view(grid, level, fx * grid.levelWidth(level), fy * grid.levelHeight(level), out, tiles);
                        }
                    }
                    return out;
                }));
            }
            List<Request> all = new ArrayList<>();
            for (Future<List<Request>> f : runs) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdown();
        }
    }

    /** The same over HTTP against a running dashboard, logged in with a bearer token. */
    static void http(String[] args) throws Exception {
        String base = args[1].replaceAll("/+$", "");
        String slide = args[2];
        String other = args[3];
        int viewers = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        int paths = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        long seed = args.length > 6 ? Long.parseLong(args[6]) : 7;
        String token = System.getenv("NIC_BENCH_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("NIC_BENCH_TOKEN is not set: an access token of a dashboard user (bench/viewer.sh --http gets one)");
        }
        Http first = new Http(base, token);
        DeepZoomGrid grid = null;
        int home = 0;
        for (String id : List.of(slide, other)) {
            long t0 = System.nanoTime();
            com.fasterxml.jackson.databind.JsonNode v = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(first.get("/api/slides/" + id + "/viewer.json", "application/json"));
            first.get("/api/slides/" + id + "/slide.dzi", "application/xml");
            DeepZoomGrid g = new DeepZoomGrid(v.get("width").asLong(), v.get("height").asLong(), v.get("tileSize").asInt(),
                    v.get("overlap").asInt());
            int h = homeLevel(g);
            List<Request> tiles = new ArrayList<>();
            view(g, h, g.levelWidth(h) / 2.0, g.levelHeight(h) / 2.0, tiles, first.tiles(id));
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (grid == null) {
                grid = g;
                home = h;
                System.out.printf("slide %s over HTTP (%s): %d x %d px, Deep Zoom levels 0-%d, home view at level %d%n", id, base,
                        g.width(), g.height(), g.maxLevel(), h);
                System.out.printf("first view (viewer.json, slide.dzi, %d tiles of the home view), the server's first slide: %.3f s%n",
                        tiles.size(), seconds);
            } else {
                System.out.printf("first view of a slide the running server has not shown yet (%s): %.3f s%n", id, seconds);
            }
        }
        DeepZoomGrid g = grid;
        long start = System.nanoTime();
        List<Request> all = viewers(g, home, viewers, paths, seed, v -> new Http(base, token).tiles(slide));
        System.out.printf("%d viewers at once over HTTP, each its own client, %d zoom paths each (levels %d-%d): %d tile requests"
                + " in %.1f s (%d cores)%n", viewers, paths, home, g.maxLevel(), all.size(), (System.nanoTime() - start) / 1e9,
                Runtime.getRuntime().availableProcessors());
        print("every request", all.stream().map(Request::nanos).toList());
    }

    /** A viewer's HTTP client: keeps its connections, sends the token, insists on 200 and the content type. */
    record Http(String base, String token, java.net.http.HttpClient client) {

        Http(String base, String token) {
            this(base, token, java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .connectTimeout(java.time.Duration.ofSeconds(10)).build());
        }

        byte[] get(String path, String type) throws Exception {
            java.net.http.HttpResponse<byte[]> r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .header("Authorization", "Bearer " + token).timeout(java.time.Duration.ofSeconds(30)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            String got = r.headers().firstValue("Content-Type").orElse("");
            if (r.statusCode() != 200 || !got.startsWith(type)) {
                throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + " " + got + " (wanted 200 " + type + ")");
            }
            return r.body();
        }

        /** Tiles of one slide; whether a tile was made is not known over HTTP (false). */
        Tiles tiles(String slide) {
            return (level, col, row) -> {
                get("/api/slides/" + slide + "/slide_files/" + level + "/" + col + "_" + row + ".jpeg", "image/jpeg");
                return false;
            };
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
