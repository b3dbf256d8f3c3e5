package org.nic.slide.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nic.encoding.OnnxPatchEncoder;
import org.nic.encoding.PatchEncoder;
import org.nic.encoding.PatchReader;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.SpacingSource;
import org.nic.slide.TestSlides;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/**
 * The DICOM pyramid of CMU-1-Small-Region and the SVS of the same slide give the same plan (grid, tissue cells
 * within 1%) and nearly the same codes through the shipped encoder (the conversion re-encoded the JPEG tiles).
 */
class DicomAgainstSvsTest {

    @Test
    void sameGridSameTissueNearlyTheSameCodes() throws Exception {
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                TissueParameters.defaults()), "test");
        Path folder = DicomSlideReaderTest.dicom("cmu-1-small-region");
        try (SlideReader dcm = SlideReaders.installed().open(folder);
             SlideReader svs = SlideReaders.installed().open(TestSlides.cmu1());
             PatchEncoder encoder = OnnxPatchEncoder.load(Files.readAllBytes(Path.of("..", "models", "encoders",
                     "mtl-nic-v2", "model.onnx")), "cpu", 2)) {
            SlidePlan a = planner.plan("cmu-1-dicom", "file:x", SlideIdentity.of(folder, null), dcm, null).plan();
            SlidePlan b = planner.plan("cmu-1", "file:y", SlideIdentity.of(TestSlides.cmu1(), null), svs, null).plan();
            assertThat(a.grid().spacingSource()).isEqualTo(SpacingSource.DICOM_PIXEL_SPACING);
            assertThat(a.grid().rows()).isEqualTo(b.grid().rows());
            assertThat(a.grid().cols()).isEqualTo(b.grid().cols());
            assertThat(a.grid().level()).isEqualTo(b.grid().level());
            Set<List<Integer>> cellsA = cells(a);
            Set<List<Integer>> cellsB = cells(b);
            Set<List<Integer>> differ = inOneOnly(cellsA, cellsB);
            Set<List<Integer>> both = new HashSet<>(cellsA);
            both.retainAll(cellsB);
            // The tissue mask (8 um/px) is rendered from a level at least 8x finer (the DICOM's 2x level; the SVS's one
            // level), averaged by NIC. From the converter's own 16x level (mask-source-factor 1) 7 of 168 cells moved.
            System.out.printf("tissue cells: DICOM %d, SVS %d, in one only %d%n", cellsA.size(), cellsB.size(), differ.size());
            assertThat(differ.size()).as("cells tissue in one plan only").isLessThanOrEqualTo(
                    (int) Math.floor(0.01 * cellsB.size()));
            SlidePlanner coarse = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                    withSourceFactor(TissueParameters.defaults(), 1)), "test");
            Set<List<Integer>> fromCoarse = cells(coarse.plan("cmu-1-dicom", "file:x", SlideIdentity.of(folder, null), dcm, null)
                    .plan());
            Set<List<Integer>> moved = inOneOnly(fromCoarse, cellsB);
            System.out.printf("tissue cells: DICOM from its 16x level %d, SVS %d, in one only %d%n", fromCoarse.size(),
                    cellsB.size(), moved.size());
            assertThat(moved.size()).as("the converter's 16x level moves more cells than NIC's own average")
                    .isGreaterThan(differ.size());
            Path level0 = folder.resolve("level-0-frames-0-30.dcm");
            try (SlideReader one = SlideReaders.installed().open(level0)) {
                Set<List<Integer>> cellsC = cells(planner.plan("cmu-1-l0", "file:z", SlideIdentity.of(level0, null), one, null)
                        .plan());
                Set<List<Integer>> only = inOneOnly(cellsC, cellsB);
                System.out.printf("tissue cells: DICOM level 0 alone %d, SVS %d, in one only %d%n", cellsC.size(),
                        cellsB.size(), only.size());
                assertThat(only.size()).as("level 0 alone: cells tissue in one plan only").isLessThanOrEqualTo(
                        (int) Math.floor(0.01 * cellsB.size()));
            }

            PatchReader readA = new PatchReader(dcm, a.grid());
            PatchReader readB = new PatchReader(svs, b.grid());
            List<List<Integer>> cells = both.stream().sorted((p, q) -> p.get(0) != q.get(0) ? p.get(0) - q.get(0)
                    : p.get(1) - q.get(1)).toList();
            double[] cosine = new double[cells.size()];
            float[] patchA = new float[PatchEncoder.PATCH_FLOATS];
            float[] patchB = new float[PatchEncoder.PATCH_FLOATS];
            float[] codeA = new float[encoder.codeSize()];
            float[] codeB = new float[encoder.codeSize()];
            for (int i = 0; i < cells.size(); i++) {
                readA.read(cells.get(i).get(0), cells.get(i).get(1), patchA, 0);
                readB.read(cells.get(i).get(0), cells.get(i).get(1), patchB, 0);
                encoder.encode(patchA, 1, codeA);
                encoder.encode(patchB, 1, codeB);
                cosine[i] = cosine(codeA, codeB);
            }
            Arrays.sort(cosine);
            double median = cosine[cosine.length / 2];
            double p5 = cosine[(int) Math.floor(0.05 * (cosine.length - 1))];
            System.out.printf("DICOM vs SVS, CMU-1-Small-Region: %d tissue cells in both (%d DICOM, %d SVS); code cosine "
                    + "median %.4f, 5th percentile %.4f, min %.4f%n", cells.size(), cellsA.size(), cellsB.size(), median, p5,
                    cosine[0]);
            assertThat(median).isGreaterThan(0.98);
            assertThat(p5).isGreaterThan(0.95);
        }
    }

    static TissueParameters withSourceFactor(TissueParameters t, double factor) {
        return new TissueParameters(t.maskSpacing(), t.minSaturation(), t.darkValue(), t.penHueMin(), t.penHueMax(),
                t.penMinSaturation(), t.closingRadius(), t.openingRadius(), t.minComponentArea(), t.minCellTissueFraction(),
                factor);
    }

    /** Cells in one set and not the other. */
    static Set<List<Integer>> inOneOnly(Set<List<Integer>> a, Set<List<Integer>> b) {
        Set<List<Integer>> out = new HashSet<>(a);
        out.addAll(b);
        Set<List<Integer>> common = new HashSet<>(a);
        common.retainAll(b);
        out.removeAll(common);
        return out;
    }

    static Set<List<Integer>> cells(SlidePlan plan) {
        Set<List<Integer>> out = new HashSet<>();
        for (int[] c : plan.tissueCells()) {
            out.add(List.of(c[0], c[1]));
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
