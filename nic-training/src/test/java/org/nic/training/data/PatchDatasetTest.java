package org.nic.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nic.training.TestData;

class PatchDatasetTest {

    @TempDir
    Path dir;

    @Test
    void rotatedAndFlippedTwinsAreGroupedTogetherAndSplitTogether() throws Exception {
        Path task = dir.resolve("task");
        BufferedImage original = ImageIO.read(TestData.data().resolve("patches/lc25000-lung/lung_aca/lungaca1.jpeg").toFile());
        BufferedImage other = ImageIO.read(TestData.data().resolve("patches/lc25000-lung/lung_n/lungn10.jpeg").toFile());
        write(original, task.resolve("a/original.png"));
        write(rotate90(original), task.resolve("a/rotated.png"));
        write(flip(original), task.resolve("a/flipped.png"));
        write(other, task.resolve("b/other.png"));
        PatchDataset data = PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("t", task, 1, 1, null)),
                Grouping.byNearDuplicates(10));
        List<PatchExample> examples = data.examples();
        String group = groupOf(examples, "original.png");
        assertThat(groupOf(examples, "rotated.png")).isEqualTo(group);
        assertThat(groupOf(examples, "flipped.png")).isEqualTo(group);
        assertThat(groupOf(examples, "other.png")).isNotEqualTo(group);
        for (long seed = 0; seed < 20; seed++) {
            long s = seed;
            long validation = examples.stream().filter(e -> e.group().equals(group))
                    .filter(e -> Splits.isValidation(e, 0.5, s, Set.of())).count();
            assertThat(validation).isIn(0L, 3L);
        }
    }

    @Test
    void lc25000ShipsNearDuplicatesThatTheGroupingFinds() {
        PatchDataset data = PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("lung",
                TestData.data().resolve("patches/lc25000-lung"), 0.714, 1, null)), Grouping.byNearDuplicates(10));
        java.util.Map<String, Long> sizes = data.examples().stream()
                .collect(java.util.stream.Collectors.groupingBy(PatchExample::group, java.util.stream.Collectors.counting()));
        assertThat(data.examples()).hasSize(1500);
        assertThat(data.tasks().get(0).classes()).containsExactly("lung_aca", "lung_n", "lung_scc");
        // This 500-per-class sample of LC25000 holds byte-identical pairs and rotated or flipped twins:
        // a few hundred images share a group, most stand alone.
        long grouped = sizes.values().stream().filter(n -> n > 1).mapToLong(Long::longValue).sum();
        assertThat(grouped).isBetween(150L, 700L);
        // Twins are twins of one tissue: groups that mix classes (false matches) are rare.
        long mixed = data.examples().stream().collect(java.util.stream.Collectors.groupingBy(PatchExample::group,
                java.util.stream.Collectors.mapping(PatchExample::label, java.util.stream.Collectors.toSet())))
                .values().stream().filter(labels -> labels.size() > 1).count();
        assertThat(mixed).isLessThanOrEqualTo(2);
    }

    @Test
    void badInputsAreNamed() throws Exception {
        Path task = dir.resolve("bad");
        Files.createDirectories(task.resolve("a"));
        Files.createDirectories(task.resolve("b"));
        write(new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB), task.resolve("a/ok.png"));
        assertThatThrownBy(() -> PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("bad", task, 1, 1, null)),
                Grouping.bySourcePrefix())).isInstanceOf(DatasetException.class).hasMessageContaining("b").hasMessageContaining("no images");
        Files.writeString(task.resolve("b/broken.png"), "not an image");
        assertThatThrownBy(() -> PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("bad", task, 1, 1, null)),
                Grouping.bySourcePrefix())).isInstanceOf(DatasetException.class).hasMessageContaining("broken.png");
        Files.delete(task.resolve("b/broken.png"));
        write(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB), task.resolve("b/small.png"));
        assertThatThrownBy(() -> PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("bad", task, 1, 1, null)),
                Grouping.bySourcePrefix())).isInstanceOf(DatasetException.class).hasMessageContaining("small.png")
                .hasMessageContaining("under 128 px");
        Path manifest = dir.resolve("manifest.csv");
        Files.writeString(manifest, "path,task,label\nbad/a/ok.png,nosuchtask,a\n");
        assertThatThrownBy(() -> PatchDataset.fromManifest(manifest, List.of(new TaskSpec("score", TaskSpec.Kind.REGRESSION,
                List.of(), 1, 1, null)), Grouping.bySourcePrefix()))
                .isInstanceOf(DatasetException.class).hasMessageContaining("manifest.csv:2").hasMessageContaining("nosuchtask");
    }

    @Test
    void augmentationStaysInRangeAndCentreCropIsExact() throws Exception {
        Path task = dir.resolve("one");
        write(ImageIO.read(TestData.data().resolve("patches/lc25000-lung/lung_scc/lungscc20.jpeg").toFile()), task.resolve("a/x.png"));
        write(ImageIO.read(TestData.data().resolve("patches/lc25000-lung/lung_n/lungn10.jpeg").toFile()), task.resolve("b/y.png"));
        PatchExample e = PatchDataset.fromFolders(List.of(new PatchDataset.FolderTask("t", task, 0.714, 1, null)),
                Grouping.bySourcePrefix()).examples().get(0);
        float[] centre = new float[3 * 128 * 128];
        Augmenter.centre(e, centre, 0);
        int m = (PatchDataset.SIDE - 128) / 2;
        int i = ((m + 5) * PatchDataset.SIDE + m + 7) * 3;
        assertThat(centre[5 * 128 + 7]).isEqualTo((e.rgb()[i] & 0xFF) / 127.5f - 1);
        float[] out = new float[3 * 128 * 128];
        new Augmenter(Augmenter.Strength.paper()).augment(e, new SplittableRandom(1), out, 0);
        double diff = 0;
        for (int k = 0; k < out.length; k++) {
            assertThat(out[k]).isBetween(-1f, 1f);
            diff += Math.abs(out[k] - centre[k]);
        }
        assertThat(diff / out.length).isGreaterThan(0.01);
    }

    private static String groupOf(List<PatchExample> examples, String file) {
        return examples.stream().filter(e -> e.file().getFileName().toString().equals(file)).findFirst().orElseThrow().group();
    }

    private static void write(BufferedImage image, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    private static BufferedImage rotate90(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getHeight(), src.getWidth(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                out.setRGB(src.getHeight() - 1 - y, x, src.getRGB(x, y));
            }
        }
        return out;
    }

    private static BufferedImage flip(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                out.setRGB(src.getWidth() - 1 - x, y, src.getRGB(x, y));
            }
        }
        return out;
    }
}
