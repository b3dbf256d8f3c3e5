package org.nic.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nic.training.TestData;
import org.nic.training.data.Augmenter;
import org.nic.training.data.Grouping;
import org.nic.training.data.PatchDataset;
import org.nic.training.data.TissueMiner;
import org.nic.training.model.EncoderArchitecture;
import org.nic.training.model.MtlNetwork;
import org.nic.training.model.OnnxEncoderExporter;

/** A tiny MTL run on real patches: both losses fall, the seed repeats the run, and the export matches DJL. */
class MtlTrainerTest {

    @TempDir
    Path dir;

    @Test
    void tinyMultitaskRunLearnsRepeatsAndExports() throws Exception {
        Path lung = dir.resolve("lung");
        for (String cls : List.of("lung_aca", "lung_n")) {
            Path src = TestData.data().resolve("patches/lc25000-lung/" + cls);
            Files.createDirectories(lung.resolve(cls));
            try (var files = Files.list(src)) {
                for (Path f : files.sorted().limit(24).toList()) {
                    Files.copy(f, lung.resolve(cls).resolve(f.getFileName()));
                }
            }
        }
        Path tissue = dir.resolve("tissue");
        TissueMiner.mine(List.of(TestData.data().resolve("slides/CMU-1-Small-Region.svs")), List.of(), 0.5, tissue);
        PatchDataset data = PatchDataset.fromFolders(List.of(
                new PatchDataset.FolderTask("lung", lung, 0.714, 1, null),
                new PatchDataset.FolderTask("tissue", tissue, 1, 0.5, null)),
                List.of(Grouping.byNearDuplicates(10), Grouping.byNearDuplicates(10)));
        EncoderArchitecture tiny = new EncoderArchitecture(16, 4, 8, 0.2f, 1e-3f, 2);
        MtlTrainer.Settings settings = new MtlTrainer.Settings(6, 8, 3e-3f, 5, 0.25, Set.of(), Augmenter.Strength.paper(),
                tiny, null);
        MtlTrainer.Result first = MtlTrainer.train(data, settings, null);
        MtlTrainer.Result again = MtlTrainer.train(data, settings, null);

        assertThat(first.last().tasks().get(0).trainLoss()).as("lung training loss falls")
                .isLessThan(first.history().get(0).tasks().get(0).trainLoss());
        assertThat(first.last().tasks().get(1).trainLoss()).as("tissue training loss falls")
                .isLessThan(first.history().get(0).tasks().get(1).trainLoss());
        assertThat(again.last().tasks().get(0).trainLoss()).as("same seed, same run")
                .isCloseTo(first.last().tasks().get(0).trainLoss(), within(1e-3));

        // The trained encoder, put back into a DJL network, and its ONNX export give the same codes.
        byte[] onnx = OnnxEncoderExporter.toOnnx(first.encoder(), "tiny");
        try (Model model = Model.newInstance("check", "PyTorch")) {
            MtlNetwork net = new MtlNetwork(tiny, List.of(2));
            model.setBlock(net);
            net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 128, 128));
            net.loadEncoderWeights(first.encoder());
            for (String p : List.of("patches/lc25000-lung/lung_aca/lungaca7.jpeg", "patches/lc25000-lung/lung_n/lungn10.jpeg")) {
                float[] patch = TestData.patch(p);
                float[] djl = net.encode(new ParameterStore(model.getNDManager(), false),
                        model.getNDManager().create(patch, new Shape(1, 3, 128, 128))).toFloatArray();
                float[] ort = TestData.runOnnx(onnx, patch, 16);
                for (int i = 0; i < 16; i++) {
                    assertThat(ort[i]).isCloseTo(djl[i], within(1e-4f * Math.max(1, Math.abs(djl[i]))));
                }
            }
        }
    }

    @Test
    void aWarmStartKeepsFrozenBlocksAndTheAnchorHoldsWeightsNearTheStart() throws Exception {
        Path lung = dir.resolve("lung");
        for (String cls : List.of("lung_aca", "lung_n")) {
            Path src = TestData.data().resolve("patches/lc25000-lung/" + cls);
            Files.createDirectories(lung.resolve(cls));
            try (var files = Files.list(src)) {
                for (Path f : files.sorted().limit(16).toList()) {
                    Files.copy(f, lung.resolve(cls).resolve(f.getFileName()));
                }
            }
        }
        PatchDataset data = PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("lung", lung, 0.714, 1, null)),
                Grouping.byNearDuplicates(10));
        org.nic.training.model.EncoderWeights start = org.nic.training.model.KerasEncoderImporter.read(
                TestData.paperModel("multitask-4"));
        EncoderArchitecture paper = EncoderArchitecture.paper();
        // Steps 1-8 with blocks 1-2 frozen; a high rate so that free weights move visibly.
        MtlTrainer.Settings frozen = new MtlTrainer.Settings(0, 8, 3e-3f, 5, 0, Set.of(), null, paper, start,
                new MtlTrainer.WarmStart(0, 2, 8, 0), 8, true, 3e-3f);
        MtlTrainer.Result f = MtlTrainer.train(data, frozen, null);
        assertThat(f.encoder().convs().get(0).kernel()).as("block 1 frozen").containsExactly(start.convs().get(0).kernel());
        assertThat(f.encoder().convs().get(1).kernel()).as("block 2 frozen").containsExactly(start.convs().get(1).kernel());
        assertThat(distance(f.encoder().convs().get(3).kernel(), start.convs().get(3).kernel())).as("block 4 trained")
                .isPositive();

        // Heads alone (linear probing) for all 8 steps: the encoder does not move, the heads learn.
        MtlTrainer.Result probing = MtlTrainer.train(data, new MtlTrainer.Settings(0, 8, 3e-3f, 5, 0, Set.of(), null, paper,
                start, new MtlTrainer.WarmStart(8, 0, 0, 0), 8, true, 3e-2f), null);
        for (int b = 0; b < 4; b++) {
            assertThat(probing.encoder().convs().get(b).kernel()).containsExactly(start.convs().get(b).kernel());
        }
        assertThat(probing.encoder().dense().bias()).containsExactly(start.dense().bias());
        assertThat(probing.last().tasks().get(0).trainLoss()).as("heads learn on frozen codes")
                .isLessThan(probing.history().get(0).tasks().get(0).trainLoss());

        MtlTrainer.Settings free = new MtlTrainer.Settings(0, 8, 3e-3f, 5, 0, Set.of(), null, paper, start,
                new MtlTrainer.WarmStart(0, 0, 0, 0), 30, true, 3e-3f);
        MtlTrainer.Settings anchored = new MtlTrainer.Settings(0, 8, 3e-3f, 5, 0, Set.of(), null, paper, start,
                new MtlTrainer.WarmStart(0, 0, 0, 50), 30, true, 3e-3f);
        double drift = distance(MtlTrainer.train(data, free, null).encoder().convs().get(2).kernel(),
                start.convs().get(2).kernel());
        double anchoredDrift = distance(MtlTrainer.train(data, anchored, null).encoder().convs().get(2).kernel(),
                start.convs().get(2).kernel());
        assertThat(anchoredDrift).as("L2-SP pull keeps block 3 nearer multitask-4").isLessThan(0.8 * drift);
    }

    static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
