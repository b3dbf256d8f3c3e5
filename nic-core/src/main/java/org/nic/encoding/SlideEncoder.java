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
     */
    public record Settings(int readers, int batchSize, int queueCapacity, int chunkCells) {
        public Settings {
            if (readers < 1 || batchSize < 1 || queueCapacity < 1 || chunkCells < 1) {
                throw new IllegalArgumentException("bad encoder settings");
            }
        }
    }

    /** Where chunks go. Must be thread-safe: chunks are written from a writer thread. */
    public interface ChunkStore {
        /** Keys ({@code 0.i.j}) of chunks already stored, from an earlier interrupted run. */
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
        GridLayout layout = new GridLayout(c, plan.grid().rows(), plan.grid().cols(), settings.chunkCells(),
                settings.chunkCells());
        List<int[]> cells = new ArrayList<>(plan.tissueCells());
        cells.sort(Comparator.<int[]>comparingInt(cell -> layout.chunkOf(cell[0], cell[1]))
                .thenComparingInt(cell -> cell[0]).thenComparingInt(cell -> cell[1]));
        Map<Integer, Integer> remaining = new HashMap<>();
        for (int[] cell : cells) {
            remaining.merge(layout.chunkOf(cell[0], cell[1]), 1, Integer::sum);
        }
        Set<String> stored = store.existingChunks();
        List<int[]> todo = new ArrayList<>();
        int resumedCells = 0;
        for (int[] cell : cells) {
            if (stored.contains(layout.chunkKey(layout.chunkOf(cell[0], cell[1])))) {
                resumedCells++;
            } else {
                todo.add(cell);
            }
        }
        int chunksResumed = (int) remaining.keySet().stream().filter(k -> stored.contains(layout.chunkKey(k))).count();

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
            int batch = settings.batchSize();
            float[] patches = new float[batch * PatchEncoder.PATCH_FLOATS];
            float[] codes = new float[batch * c];
            int[][] batchCells = new int[batch][];
            Map<Integer, float[]> open = new HashMap<>();
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
                long s = System.nanoTime();
                encoder.encode(patches, n, codes);
                encodeNanos += System.nanoTime() - s;
                for (int k = 0; k < n; k++) {
                    int row = batchCells[k][0];
                    int col = batchCells[k][1];
                    int chunk = layout.chunkOf(row, col);
                    float[] values = open.computeIfAbsent(chunk, key -> new float[layout.chunkValues()]);
                    for (int ch = 0; ch < c; ch++) {
                        values[layout.offsetInChunk(ch, row, col)] = codes[k * c + ch];
                    }
                    if (remaining.merge(chunk, -1, Integer::sum) == 0) {
                        float[] full = open.remove(chunk);
                        String key = layout.chunkKey(chunk);
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
                    remaining.size() - chunksResumed, chunksResumed, readNanos.get() / 1e9, encodeNanos / 1e9,
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
