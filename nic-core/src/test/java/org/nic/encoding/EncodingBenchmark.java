package org.nic.encoding;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.SyntheticSlides;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/**
 * Benchmark (not a test) of the encoding hot path on one slide, in one run: (a) raw OpenSlide reads of
 * the planned patches with the pipeline's reader threads, (b) raw ONNX Runtime encoding of as many
 * patches, (c) the full pipeline (chunks to local files). Prints patches/s and c / min(a, b) and c / L,
 * L = 1 / (1/a + 1/b), the bound when reading and encoding share the same cores. With {@code full} only
 * (c) runs, and peak RSS is printed: compare slides of different sizes with the same JVM settings.
 *
 * <p>Arguments: slide size in thousands of px (synthetic H&E pyramid, written once), model path,
 * [all|full], [readers], [batch].
 */
public final class EncodingBenchmark {

    public static void main(String[] args) throws Exception {
        int thousands = Integer.parseInt(args[0]);
        Path model = Path.of(args[1]);
        boolean fullOnly = args.length > 2 && args[2].equals("full");
        int cores = Runtime.getRuntime().availableProcessors();
        int readers = args.length > 3 ? Integer.parseInt(args[3]) : cores;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        Path slidePath = SyntheticSlides.pyramid(Path.of("target/bench/he-" + thousands + "k.tif"), thousands);
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01, TissueParameters.defaults()),
                "bench");
        try (SlideReader slide = SlideReaders.installed().open(slidePath);
             PatchEncoder encoder = OnnxPatchEncoder.load(Files.readAllBytes(model), System.getProperty("nic.bench.device", "cpu"), 0)) {
            SlidePlan plan = planner.plan("bench", "file:" + slidePath, SlideIdentity.of(slidePath, null), slide, null).plan();
            int n = plan.tissueCellCount();
            System.out.printf("slide %dk x %dk px: %d x %d cells, %d tissue cells, level %d, read %d px; %d cores, %d readers, batch %d, encoder on %s%n",
                    thousands, thousands, plan.grid().rows(), plan.grid().cols(), n, plan.grid().level(), plan.grid().readSize(),
                    cores, readers, batch, encoder.device());
            // This machine's neighbours make single timings noisy: (a), (b), (c) run in turn, the median of each counts.
            int rounds = fullOnly ? 1 : 3;
            double[] as = new double[rounds];
            double[] bs = new double[rounds];
            double[] cs = new double[rounds];
            SlideEncoder.Result r = null;
            for (int round = 0; round < rounds; round++) {
                if (!fullOnly) {
                    as[round] = readRate(slide, plan, readers);
                    bs[round] = encodeRate(slide, plan, encoder, batch, n);
                }
                r = full(plan, slide, encoder, readers, batch);
                cs[round] = r.patchesPerSecond();
                System.out.printf("round %d: a %.0f, b %.0f, c %.0f patches/s%n", round + 1, as[round], bs[round], cs[round]);
            }
            double a = median(as);
            double b = median(bs);
            double c = median(cs);
            if (!fullOnly) {
                System.out.printf("(a) read   %8.0f patches/s (OpenSlide, %d threads; median of %d)%n", a, readers, rounds);
                System.out.printf("(b) encode %8.0f patches/s (ONNX Runtime, batch %d)%n", b, batch);
            }
            System.out.printf("(c) full   %8.0f patches/s (%d chunks, %.1f s)%n", c, r.chunksWritten(), r.wallSeconds());
            if (!fullOnly) {
                double l = 1 / (1 / a + 1 / b);
                System.out.printf("c / min(a, b) = %.2f   c / L = %.2f   (L = %.0f patches/s)%n", c / Math.min(a, b), c / l, l);
            }
            System.out.printf("peak RSS %d MB (heap max %d MB)%n", peakRssKb() >> 10, Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    public static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    public static SlideEncoder.Result full(SlidePlan plan, SlideReader slide, PatchEncoder encoder, int readers, int batch)
            throws Exception {
        Path out = Files.createTempDirectory("nic-bench-grid");
        SlideEncoder pipeline = new SlideEncoder(new SlideEncoder.Settings(readers, batch, 256, 32), 1000);
        return pipeline.encode(plan, slide, encoder, new SlideEncoder.ChunkStore() {
                @Override
                public Set<String> existingChunks() {
                    return new HashSet<>();
                }

                @Override
                public void writeChunk(String key, byte[] bytes) {
                    try {
                        Files.createDirectories(out.resolve(key).getParent());
                        Files.write(out.resolve(key), bytes);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }, null);
    }

    public static double readRate(SlideReader slide, SlidePlan plan, int threads) throws InterruptedException {
        List<int[]> cells = plan.tissueCells();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                PatchReader reader = new PatchReader(slide, plan.grid());
                float[] out = new float[PatchEncoder.PATCH_FLOATS];
                int i;
                while ((i = next.getAndIncrement()) < cells.size()) {
                    reader.read(cells.get(i)[0], cells.get(i)[1], out, 0);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        return cells.size() / ((System.nanoTime() - t0) / 1e9);
    }

    public static double encodeRate(SlideReader slide, SlidePlan plan, PatchEncoder encoder, int batch, int n) {
        float[] patches = new float[batch * PatchEncoder.PATCH_FLOATS];
        PatchReader reader = new PatchReader(slide, plan.grid());
        for (int k = 0; k < batch; k++) {
            int[] cell = plan.tissueCells().get(k % plan.tissueCellCount());
            reader.read(cell[0], cell[1], patches, k * PatchEncoder.PATCH_FLOATS);
        }
        float[] codes = new float[batch * encoder.codeSize()];
        encoder.encode(patches, batch, codes); // warm-up
        long t0 = System.nanoTime();
        int done = 0;
        while (done < n) {
            int m = Math.min(batch, n - done);
            encoder.encode(patches, m, codes);
            done += m;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static long peakRssKb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
