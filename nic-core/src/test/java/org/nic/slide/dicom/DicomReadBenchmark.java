package org.nic.slide.dicom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nic.encoding.EncodingBenchmark;
import org.nic.encoding.OnnxPatchEncoder;
import org.nic.encoding.PatchEncoder;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.TestSlides;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/**
 * Benchmark (not a test): patches read per second, and the encoder pipeline's patches per second, for the DICOM
 * pyramid of CMU-1-Small-Region (JPEG), its level-0 instance alone, and a JPEG 2000 DICOM, against OpenSlide on the
 * SVS of the same slide; in one run, the sources in turn, the median of the rounds. Every pass opens the slide
 * afresh, so every frame is decoded again (a slide is read once in the pipeline). Run with bench/dicom.sh.
 *
 * <p>Arguments: the encoder model, rounds (default 5), passes per measurement (default 8).
 */
public final class DicomReadBenchmark {

    record Source(String name, Path path, Double mppOverride) { }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0] : "../models/encoders/mtl-nic-v2/model.onnx");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int threads = Runtime.getRuntime().availableProcessors();
        Path dicom = TestSlides.data().resolve("dicom");
        List<Source> sources = List.of(new Source("SVS, OpenSlide", TestSlides.cmu1(), null),
                new Source("DICOM series (JPEG)", dicom.resolve("cmu-1-small-region"), null),
                new Source("DICOM level-0 instance (JPEG)", dicom.resolve("cmu-1-small-region/level-0-frames-0-30.dcm"), null),
                // A 1696 x 812 px JPEG 2000 level of another slide, planned as if at 0.5 um/px: a read benchmark.
                new Source("DICOM JPEG 2000 (camelyon)", dicom.resolve("camelyon/jpeg2000-lossless.dcm"), 0.5));
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                TissueParameters.defaults()), "bench");
        List<SlidePlan> plans = new ArrayList<>();
        for (Source s : sources) {
            try (SlideReader r = SlideReaders.installed().open(s.path())) {
                SlidePlan plan = planner.plan("bench", "file:" + s.path(), SlideIdentity.of(s.path(), null), r, s.mppOverride())
                        .plan();
                plans.add(plan);
                System.out.printf("%-32s %s, %d x %d px, %d tissue cells of %d, level %d%n", s.name(), r.readerName(),
                        r.levelDimensions(0).width(), r.levelDimensions(0).height(), plan.tissueCellCount(),
                        plan.grid().cellCount(), plan.grid().level());
            }
        }
        double[][] read = new double[sources.size()][rounds];
        double[][] full = new double[sources.size()][rounds];
        try (PatchEncoder encoder = OnnxPatchEncoder.load(Files.readAllBytes(model), "cpu", 0)) {
            // Round 0 warms the JIT, the decoders and ONNX Runtime up, and is not counted.
            for (int round = -1; round < rounds; round++) {
                double[] readRound = new double[sources.size()];
                double[] fullRound = new double[sources.size()];
                for (int i = 0; i < sources.size(); i++) {
                    long patches = 0;
                    long t0 = System.nanoTime();
                    for (int p = 0; p < passes; p++) {
                        try (SlideReader r = SlideReaders.installed().open(sources.get(i).path())) {
                            EncodingBenchmark.readRate(r, plans.get(i), threads);
                            patches += plans.get(i).tissueCellCount();
                        }
                    }
                    readRound[i] = patches / ((System.nanoTime() - t0) / 1e9);
                    patches = 0;
                    t0 = System.nanoTime();
                    for (int p = 0; p < passes; p++) {
                        try (SlideReader r = SlideReaders.installed().open(sources.get(i).path())) {
                            patches += EncodingBenchmark.full(plans.get(i), r, encoder, threads, 64).encodedCells();
                        }
                    }
                    fullRound[i] = patches / ((System.nanoTime() - t0) / 1e9);
                }
                if (round >= 0) {
                    for (int i = 0; i < sources.size(); i++) {
                        read[i][round] = readRound[i];
                        full[i][round] = fullRound[i];
                    }
                }
                System.out.printf("round %d: read %s, encode %s patches/s%n", round + 1, java.util.Arrays.toString(
                        java.util.Arrays.stream(readRound).mapToLong(Math::round).toArray()), java.util.Arrays.toString(
                        java.util.Arrays.stream(fullRound).mapToLong(Math::round).toArray()));
            }
        }
        // Opening (headers, and for DICOM the level's pixel data index) and reading the first patch, once per pass above.
        double[] openMs = new double[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            double[] t = new double[9];
            float[] patch = new float[PatchEncoder.PATCH_FLOATS];
            for (int k = 0; k < t.length; k++) {
                long t0 = System.nanoTime();
                try (SlideReader r = SlideReaders.installed().open(sources.get(i).path())) {
                    int[] cell = plans.get(i).tissueCells().get(0);
                    new org.nic.encoding.PatchReader(r, plans.get(i).grid()).read(cell[0], cell[1], patch, 0);
                }
                t[k] = (System.nanoTime() - t0) / 1e6;
            }
            openMs[i] = EncodingBenchmark.median(t);
        }
        double svsRead = EncodingBenchmark.median(read[0]);
        double svsFull = EncodingBenchmark.median(full[0]);
        System.out.printf("%n%-32s %12s %8s %12s %8s %14s%n", "source (" + threads + " threads)", "read p/s", "vs SVS",
                "encode p/s", "vs SVS", "open+1st ms");
        for (int i = 0; i < sources.size(); i++) {
            double r = EncodingBenchmark.median(read[i]);
            double f = EncodingBenchmark.median(full[i]);
            System.out.printf("%-32s %12.0f %8.2f %12.0f %8.2f %14.1f%n", sources.get(i).name(), r, r / svsRead, f, f / svsFull,
                    openMs[i]);
        }
        System.out.printf("(medians of %d rounds; %d fresh opens per measurement)%n", rounds, passes);
    }
}
