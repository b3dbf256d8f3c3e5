package org.nic.training.head;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nic.grid.CompressedGrid;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;

/**
 * Benchmark (not a test) of the heads on 2 cores: trainer wall time for one head on 200 slides' grids,
 * and predictor latency for one 400 x 400-cell grid. Synthetic grids (128 channels, signal in channel 0).
 *
 * <p>Arguments: [slides] [grid cells per side for training] [epochs] [crop].
 */
public final class HeadBenchmark {

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        int slides = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int side = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int crop = args.length > 3 ? Integer.parseInt(args[3]) : 400;
        Random r = new Random(1);
        List<CompressedGrid> grids = new ArrayList<>();
        List<HeadLabel> labels = new ArrayList<>();
        for (int i = 0; i < slides; i++) {
            double signal = r.nextGaussian();
            grids.add(grid("s" + i, side, signal, r));
            labels.add(HeadLabel.regression(signal));
        }
        HeadTrainer.Settings settings = new HeadTrainer.Settings(TaskKind.REGRESSION, 0, crop, epochs, 8, 1e-3f, 1);
        long t0 = System.nanoTime();
        HeadTrainer.Result head = HeadTrainer.train(grids, labels, settings);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("trainer: %d slides of %d x %d cells x 128 channels, crop %d (min(%d, extent)), %d epochs, batch 8: %.1f s%n",
                slides, side, side, head.crop(), crop, epochs, trainSeconds);

        byte[] onnx = head.onnx();
        CompressedGrid big = grid("big", 400, 0.5, r);
        try (OnnxHead model = new OnnxHead(onnx)) {
            model.predict(big, 400, 1); // warm-up
            int runs = 3;
            long p0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                model.predict(big, 400, 10);
            }
            System.out.printf("predictor: 400 x 400-cell grid, 10 crops of 400 x 400 averaged: %.2f s per slide (mean of %d)%n",
                    (System.nanoTime() - p0) / 1e9 / runs, runs);
        }
    }

    static CompressedGrid grid(String id, int side, double signal, Random r) {
        int c = 128;
        float[] codes = new float[c * side * side];
        boolean[] tissue = new boolean[side * side];
        for (int y = side / 10; y < side - side / 10; y++) {
            for (int x = side / 10; x < side - side / 10; x++) {
                tissue[y * side + x] = true;
                for (int k = 0; k < c; k++) {
                    codes[(k * side + y) * side + x] = (float) ((k == 0 ? signal : 0) + r.nextGaussian() * 0.5);
                }
            }
        }
        return new CompressedGrid(id, c, side, side, codes, tissue);
    }
}
