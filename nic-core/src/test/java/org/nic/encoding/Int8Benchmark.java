package org.nic.encoding;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.SyntheticSlides;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/**
 * Float against INT8 encoder in one run, alternating (bench/int8.sh): (b) the encoder alone over batch sizes and
 * ONNX Runtime thread counts, then (a) reading, (c) the full pipeline with each model's best setting, and c / L.
 *
 * <p>Arguments: slide side in thousands of px, the float model, the INT8 model[, rounds].
 */
public final class Int8Benchmark {

    private Int8Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        int thousands = Integer.parseInt(args[0]);
        Map<String, byte[]> models = new LinkedHashMap<>();
        models.put("fp32", Files.readAllBytes(Path.of(args[1])));
        models.put("int8", Files.readAllBytes(Path.of(args[2])));
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int cores = Runtime.getRuntime().availableProcessors();
        Path slidePath = SyntheticSlides.pyramid(Path.of("target/bench/he-" + thousands + "k.tif"), thousands);
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01, TissueParameters.defaults()),
                "bench");
        try (SlideReader slide = SlideReaders.installed().open(slidePath)) {
            SlidePlan plan = planner.plan("bench", "file:" + slidePath, SlideIdentity.of(slidePath, null), slide, null).plan();
            int n = plan.tissueCellCount();
            System.out.printf("slide %dk x %dk px, %d tissue cells; %d cores; %s%n", thousands, thousands, n, cores,
                    System.getProperty("os.arch"));
            // The same cells for bench/peer/clam_style.py: level-0 x, y of each tissue cell's read square, level, side.
            StringBuilder cells = new StringBuilder();
            for (int[] c : plan.tissueCells()) {
                cells.append(plan.grid().cellX(c[1])).append(',').append(plan.grid().cellY(c[0])).append(',')
                        .append(plan.grid().level()).append(',').append(plan.grid().readSize()).append('\n');
            }
            Files.writeString(Path.of("target/bench/he-" + thousands + "k.cells.csv"), cells);
            int sample = Math.min(n, 8192);
            List<Integer> batches = List.of(16, 32, 64, 128);
            List<Integer> threads = cores > 1 ? List.of(1, cores) : List.of(1);
            Map<String, double[]> encode = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (var m : models.entrySet()) {
                    for (int t : threads) {
                        try (PatchEncoder encoder = OnnxPatchEncoder.load(m.getValue(), "cpu", t)) {
                            for (int batch : batches) {
                                String key = m.getKey() + " threads " + t + " batch " + batch;
                                double rate = EncodingBenchmark.encodeRate(slide, plan, encoder, batch, sample);
                                encode.computeIfAbsent(key, k -> new double[rounds])[round] = rate;
                            }
                        }
                    }
                }
            }
            System.out.println("\n(b) encoder alone, patches/s, median of " + rounds + " alternating rounds:");
            Map<String, String> best = new LinkedHashMap<>();
            Map<String, Double> bestRate = new LinkedHashMap<>();
            for (var e : encode.entrySet()) {
                double rate = EncodingBenchmark.median(e.getValue());
                System.out.printf("  %-28s %7.0f%n", e.getKey(), rate);
                String model = e.getKey().substring(0, 4);
                if (rate > bestRate.getOrDefault(model, 0.0)) {
                    bestRate.put(model, rate);
                    best.put(model, e.getKey());
                }
            }
            System.out.printf("best: fp32 %s (%.0f), int8 %s (%.0f): int8 / fp32 = %.2f%n", best.get("fp32"), bestRate.get("fp32"),
                    best.get("int8"), bestRate.get("int8"), bestRate.get("int8") / bestRate.get("fp32"));
            double[] as = new double[rounds];
            Map<String, double[]> full = new LinkedHashMap<>();
            Map<String, double[]> wall = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                as[round] = EncodingBenchmark.readRate(slide, plan, cores);
                for (var m : models.entrySet()) {
                    int batch = Integer.parseInt(best.get(m.getKey()).replaceAll(".* batch ", ""));
                    try (PatchEncoder encoder = OnnxPatchEncoder.load(m.getValue(), "cpu", 0)) {
                        SlideEncoder.Result r = EncodingBenchmark.full(plan, slide, encoder, cores, batch);
                        full.computeIfAbsent(m.getKey(), k -> new double[rounds])[round] = r.patchesPerSecond();
                        wall.computeIfAbsent(m.getKey(), k -> new double[rounds])[round] = r.wallSeconds();
                    }
                }
            }
            double a = EncodingBenchmark.median(as);
            System.out.printf("%n(a) read %.0f patches/s (OpenSlide, %d threads)%n", a, cores);
            for (String m : models.keySet()) {
                double b = bestRate.get(m);
                double c = EncodingBenchmark.median(full.get(m));
                double l = 1 / (1 / a + 1 / b);
                System.out.printf("(c) %s full %.0f patches/s, %.1f s for the slide; c / min(a, b) = %.2f, c / L = %.2f (L = %.0f)%n",
                        m, c, EncodingBenchmark.median(wall.get(m)), c / Math.min(a, b), c / l, l);
            }
            System.out.printf("full pipeline int8 / fp32 = %.2f%n", EncodingBenchmark.median(full.get("int8"))
                    / EncodingBenchmark.median(full.get("fp32")));
        }
    }
}
