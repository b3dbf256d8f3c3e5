package org.nic.tiling;

import java.nio.file.Files;
import java.nio.file.Path;
import org.nic.slide.RecordingSlideReader;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReaders;
import org.nic.slide.SyntheticSlides;

/**
 * Benchmark (not a test): plans a synthetic pyramidal slide and reports seconds, peak RSS and the
 * pixels read per level. Run with bench/tiling.sh.
 *
 * <p>Arguments: slide path (written by libvips when missing), size in thousands of pixels (default 40), the
 * mask-source-factors to plan with, in turn (default {@code 1,8}: the level nearest the mask, then the default).
 */
public final class TilingBenchmark {

    public static void main(String[] args) throws Exception {
        Path slide = Path.of(args.length > 0 ? args[0] : "target/bench/he-40k.tif");
        int thousands = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        if (!Files.exists(slide)) {
            long t0 = System.nanoTime();
            System.out.printf("writing a %dk x %dk px synthetic H&E slide to %s...%n", thousands, thousands, slide);
            SyntheticSlides.pyramid(slide, thousands);
            System.out.printf("written in %.1f s (%d MB)%n", (System.nanoTime() - t0) / 1e9, Files.size(slide) >> 20);
        }
        String[] factors = (args.length > 2 ? args[2] : "1,8").split(",");
        for (String f : factors) {
            TissueParameters d = TissueParameters.defaults();
            TissueParameters tissue = new TissueParameters(d.maskSpacing(), d.minSaturation(), d.darkValue(), d.penHueMin(),
                    d.penHueMax(), d.penMinSaturation(), d.closingRadius(), d.openingRadius(), d.minComponentArea(),
                    d.minCellTissueFraction(), Double.parseDouble(f));
            SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01, tissue), "bench");
            long rssBefore = peakRssKb();
            long t0 = System.nanoTime();
            SlidePlan plan;
            try (RecordingSlideReader reader = new RecordingSlideReader(SlideReaders.installed().open(slide))) {
                plan = planner.plan("bench", "file:" + slide, SlideIdentity.of(slide, null), reader, null).plan();
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("mask-source-factor %s%n", f);
                System.out.printf("slide: %d x %d px, %d levels%n", reader.levelDimensions(0).width(),
                        reader.levelDimensions(0).height(), reader.levelCount());
                System.out.printf("grid: %d x %d cells, %d tissue, read from level %d%n", plan.grid().rows(),
                        plan.grid().cols(), plan.tissueCellCount(), plan.grid().level());
                for (int level = 0; level < reader.levelCount(); level++) {
                    System.out.printf("  level %d (downsample %.0f): %,d pixels read while planning%n", level,
                            reader.levelDownsample(level), reader.pixelsRead(level));
                }
                System.out.printf("planning: %.2f s%n", seconds);
                System.out.printf("peak RSS so far: %d MB (before this plan: %d MB)%n", peakRssKb() >> 10, rssBefore >> 10);
                if (reader.pixelsRead(0) != 0) {
                    System.out.println("FAIL: planning read the full-resolution level");
                    System.exit(1);
                }
            }
        }
    }

    /** VmHWM of this process, in kB (Linux). */
    static long peakRssKb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
