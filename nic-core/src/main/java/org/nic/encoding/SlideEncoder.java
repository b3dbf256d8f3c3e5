package org.nic.encoding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.nic.grid.GridLayout;
import org.nic.grid.ZarrCodec;
import org.nic.slide.SlideReader;
import org.nic.tiling.SlidePlan;

/**
 * Streams a slide's planned tissue cells through an encoder into grid chunks.
 *
 * <p>Parallel readers (one {@link PatchReader} each, sharing the slide handle) fill a bounded queue from a
 * bounded pool of patch buffers; one thread batches patches into the encoder and scatters codes into chunk
 * accumulators; a chunk is compressed and handed to the store as soon as its last tissue cell is encoded.
 * Cells are visited chunk by chunk, so only the few chunks in flight are held: memory does not grow with
 * the slide. Chunks the store already holds are skipped (resume); chunks without tissue are never written.
 */
public final class SlideEncoder {

    /**
     * @param readers reader threads
     * @param batchSize patches per encoder call
     * @param queueCapacity patches read ahead of the encoder
     * @param chunkCells cells along each side of a chunk
     * @param orientations 1 (the slide as scanned), or 8: also the 3 other quarter turns and the 4 flipped
     *     ones, pixels and grid positions alike, each a grid of its own (the paper's augmentation)
     */
    public record Settings(int readers, int batchSize, int queueCapacity, int chunkCells, int orientations) {
        public Settings {
            if (readers < 1 || batchSize < 1 || queueCapacity < 1 || chunkCells < 1
                    || (orientations != 1 && orientations != Orientation.COUNT)) {
                throw new IllegalArgumentException("bad encoder settings");
            }
        }

        public Settings(int readers, int batchSize, int queueCapacity, int chunkCells) {
            this(readers, batchSize, queueCapacity, chunkCells, 1);
        }
    }

    /**
     * Where chunks go, by key {@code <array>/0.i.j} (array {@code codes}, or {@code codes-orientation-<o>}). Must
     * be thread-safe: chunks are written from a writer thread.
     */
    public interface ChunkStore {
        /** Keys of chunks already stored, from an earlier interrupted run. */
        Set<String> existingChunks();

        void writeChunk(String key, byte[] bytes);
    }

    /** Told how far encoding got, at most every {@code progressIntervalMillis}. */
    public interface Progress {
        void update(int cellsDone, int cellsTotal);
    }

    /**
     * @param layout the grid's shape and chunking
     * @param tissueCells cells planned
     * @param encodedCells cells encoded in this run
     * @param resumedCells cells in chunks found already stored
     * @param chunksWritten chunks written in this run
     * @param chunksResumed chunks found already stored
     * @param readSeconds time spent reading, summed over reader threads
     * @param encodeSeconds time spent in the encoder
     * @param writeSeconds time spent compressing and storing chunks
     * @param wallSeconds elapsed time
     */
    public record Result(GridLayout layout, int tissueCells, int encodedCells, int resumedCells, int chunksWritten,
                         int chunksResumed, double readSeconds, double encodeSeconds, double writeSeconds,
                         double wallSeconds) {
        public double patchesPerSecond() {
            return wallSeconds > 0 ? encodedCells / wallSeconds : 0;
        }
    }

    private final Settings settings;
    private final long progressIntervalMillis;

    public SlideEncoder(Settings settings, long progressIntervalMillis) {
        this.settings = settings;
        this.progressIntervalMillis = progressIntervalMillis;
    }

    public Result encode(SlidePlan plan, SlideReader slide, PatchEncoder encoder, ChunkStore store, Progress progress)
            throws InterruptedException {
        long t0 = System.nanoTime();
        int c = encoder.codeSize();
        int rows = plan.grid().rows();
        int cols = plan.grid().cols();
        int orientations = settings.orientations();
        GridLayout[] layouts = new GridLayout[orientations];
        for (int o = 0; o < orientations; o++) {
            boolean swap = Orientation.swapsAxes(o);
            layouts[o] = new GridLayout(c, swap ? cols : rows, swap ? rows : cols, settings.chunkCells(), settings.chunkCells());
        }
        GridLayout layout = layouts[0];
        List<int[]> cells = new ArrayList<>(plan.tissueCells());
        cells.sort(Comparator.<int[]>comparingInt(cell -> layout.chunkOf(cell[0], cell[1]))
                .thenComparingInt(cell -> cell[0]).thenComparingInt(cell -> cell[1]));
        Set<String> stored = store.existingChunks();
        Map<String, Integer> remaining = new HashMap<>();
        Set<String> allChunks = new java.util.HashSet<>();
        List<int[]> todo = new ArrayList<>();
        int resumedCells = 0;
        for (int[] cell : cells) {
            boolean needed = false;
            for (int o = 0; o < orientations; o++) {
                String key = chunkKey(layouts, o, Orientation.cell(o, cell[0], cell[1], rows, cols));
                allChunks.add(key);
                if (!stored.contains(key)) {
                    remaining.merge(key, 1, Integer::sum);
                    needed = true;
                }
            }
            if (needed) {
                todo.add(cell);
            } else {
                resumedCells++;
            }
        }
        int chunksResumed = (int) allChunks.stream().filter(stored::contains).count();

        int poolSize = settings.queueCapacity() + settings.readers() + 1;
        BlockingQueue<float[]> freeBuffers = new ArrayBlockingQueue<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            freeBuffers.add(new float[PatchEncoder.PATCH_FLOATS]);
        }
        BlockingQueue<ReadPatch> ready = new ArrayBlockingQueue<>(settings.queueCapacity() + settings.readers());
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong readNanos = new AtomicLong();
        ExecutorService readers = Executors.newFixedThreadPool(settings.readers(), daemon("nic-reader"));
        ExecutorService writer = Executors.newSingleThreadExecutor(daemon("nic-chunk-writer"));
        AtomicLong writeNanos = new AtomicLong();
        List<Future<?>> writes = new ArrayList<>();
        try {
            for (int r = 0; r < settings.readers(); r++) {
                readers.submit(() -> {
                    PatchReader reader = new PatchReader(slide, plan.grid());
                    try {
                        int i;
                        while (failure.get() == null && (i = next.getAndIncrement()) < todo.size()) {
                            float[] buffer = freeBuffers.take();
                            long s = System.nanoTime();
                            reader.read(todo.get(i)[0], todo.get(i)[1], buffer, 0);
                            readNanos.addAndGet(System.nanoTime() - s);
                            ready.put(new ReadPatch(todo.get(i), buffer));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    return null;
                });
            }
            int batch = Math.max(1, settings.batchSize() / orientations);
            float[] patches = new float[batch * PatchEncoder.PATCH_FLOATS];
            float[] oriented = orientations == 1 ? patches : new float[batch * orientations * PatchEncoder.PATCH_FLOATS];
            float[] codes = new float[batch * orientations * c];
            int[][] batchCells = new int[batch][];
            Map<String, float[]> open = new HashMap<>();
            long encodeNanos = 0;
            int done = 0;
            long lastProgress = 0;
            while (done < todo.size()) {
                int n = 0;
                while (n < batch && done + n < todo.size()) {
                    ReadPatch p = ready.poll(100, TimeUnit.MILLISECONDS);
                    if (p == null) {
                        if (failure.get() != null) {
                            throw rethrow(failure.get());
                        }
                        if (n > 0 && ready.isEmpty()) {
                            break; // encode what is there rather than wait for slow readers
                        }
                        continue;
                    }
                    System.arraycopy(p.pixels(), 0, patches, n * PatchEncoder.PATCH_FLOATS, PatchEncoder.PATCH_FLOATS);
                    freeBuffers.put(p.pixels());
                    batchCells[n++] = p.cell();
                }
                if (n == 0) {
                    continue;
                }
                if (orientations > 1) {
                    for (int k = 0; k < n; k++) {
                        for (int o = 0; o < orientations; o++) {
                            Orientation.patch(o, patches, k * PatchEncoder.PATCH_FLOATS, oriented,
                                    (k * orientations + o) * PatchEncoder.PATCH_FLOATS, PatchEncoder.PATCH);
                        }
                    }
                }
                long s = System.nanoTime();
                encoder.encode(oriented, n * orientations, codes);
                encodeNanos += System.nanoTime() - s;
                for (int k = 0; k < n * orientations; k++) {
                    int o = k % orientations;
                    int[] at = Orientation.cell(o, batchCells[k / orientations][0], batchCells[k / orientations][1], rows, cols);
                    GridLayout l = layouts[o];
                    String key = chunkKey(layouts, o, at);
                    if (stored.contains(key)) {
                        continue; // written by an earlier run
                    }
                    float[] values = open.computeIfAbsent(key, x -> new float[l.chunkValues()]);
                    for (int ch = 0; ch < c; ch++) {
                        values[l.offsetInChunk(ch, at[0], at[1])] = codes[k * c + ch];
                    }
                    if (remaining.merge(key, -1, Integer::sum) == 0) {
                        float[] full = open.remove(key);
                        writes.add(writer.submit(() -> {
                            long w = System.nanoTime();
                            store.writeChunk(key, ZarrCodec.encodeChunk(full));
                            writeNanos.addAndGet(System.nanoTime() - w);
                            return null;
                        }));
                        // Keep at most a few chunks waiting for the store: back-pressure on a slow store.
                        while (writes.size() > 4) {
                            get(writes.remove(0));
                        }
                    }
                }
                done += n;
                long now = System.currentTimeMillis();
                if (progress != null && (now - lastProgress >= progressIntervalMillis || done == todo.size())) {
                    progress.update(resumedCells + done, cells.size());
                    lastProgress = now;
                }
            }
            for (Future<?> w : writes) {
                get(w);
            }
            if (failure.get() != null) {
                throw rethrow(failure.get());
            }
            return new Result(layout, cells.size(), todo.size(), resumedCells,
                    remaining.size(), chunksResumed, readNanos.get() / 1e9, encodeNanos / 1e9,
                    writeNanos.get() / 1e9, (System.nanoTime() - t0) / 1e9);
        } finally {
            failure.compareAndSet(null, new IllegalStateException("encoding stopped"));
            readers.shutdownNow();
            writer.shutdown();
            readers.awaitTermination(30, TimeUnit.SECONDS);
            writer.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private record ReadPatch(int[] cell, float[] pixels) { }

    private static String chunkKey(GridLayout[] layouts, int o, int[] cell) {
        return Orientation.arrayName(o) + "/" + layouts[o].chunkKey(layouts[o].chunkOf(cell[0], cell[1]));
    }

    private static void get(Future<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
