package org.nic.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nic.grid.ZarrCodec;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.TestSlides;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/** The 8-orientation mode turns grid positions and patch pixels alike. */
class OrientationTest {

    @Test
    void cellsMoveAsTheSlideTurns() {
        // A 2 x 3 grid turned a quarter clockwise is 3 x 2: the top-left cell goes to the top-right.
        assertThat(Orientation.cell(1, 0, 0, 2, 3)).containsExactly(0, 1);
        assertThat(Orientation.cell(1, 1, 2, 2, 3)).containsExactly(2, 0);
        assertThat(Orientation.cell(2, 0, 0, 2, 3)).containsExactly(1, 2); // half turn: opposite corner
        assertThat(Orientation.cell(4, 0, 0, 2, 3)).containsExactly(0, 2); // flip only
        for (int o = 0; o < 8; o++) {
            assertThat(Orientation.swapsAxes(o)).isEqualTo(o % 2 == 1);
        }
    }

    @Test
    void patchPixelsTurnWithTheirCell() {
        int n = 4;
        float[] src = new float[3 * n * n];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        float[] dst = new float[src.length];
        Orientation.patch(1, src, 0, dst, 0, n);
        // Clockwise: the new top row is the old left column, read bottom to top.
        for (int x = 0; x < n; x++) {
            assertThat(dst[x]).isEqualTo(src[(n - 1 - x) * n]);
        }
        Orientation.patch(4, src, 0, dst, 0, n);
        assertThat(dst[0]).isEqualTo(src[n - 1]); // mirrored
    }

    @Test
    void eightOrientationGridsHoldTurnedPatchesAtTurnedPositions() throws Exception {
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01, TissueParameters.defaults()),
                "test");
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            SlidePlan plan = planner.plan("o", "file:x", SlideIdentity.of(TestSlides.cmu1(), null), slide, null).plan();
            PatchEncoder probe = new CornerEncoder();
            Map<String, byte[]> chunks = new HashMap<>();
            SlideEncoder encoder = new SlideEncoder(new SlideEncoder.Settings(2, 16, 32, 8, 8), 1000);
            SlideEncoder.Result r = encoder.encode(plan, slide, probe, new SlideEncoder.ChunkStore() {
                @Override
                public Set<String> existingChunks() {
                    return Set.of();
                }

                @Override
                public synchronized void writeChunk(String key, byte[] bytes) {
                    chunks.put(key, bytes);
                }
            }, null);
            assertThat(r.encodedCells()).isEqualTo(plan.tissueCellCount());
            assertThat(chunks.keySet()).anyMatch(k -> k.startsWith("codes-orientation-7/"));
            int rows = plan.grid().rows();
            int cols = plan.grid().cols();
            PatchReader reader = new PatchReader(slide, plan.grid());
            float[] patch = new float[PatchEncoder.PATCH_FLOATS];
            int[] cell = plan.tissueCells().get(plan.tissueCellCount() / 2);
            reader.read(cell[0], cell[1], patch, 0);
            int n = PatchEncoder.PATCH;
            // Orientation 1 (a quarter turn clockwise): the new top-left pixel is the old bottom-left one.
            float[] turned = code(chunks, 1, Orientation.cell(1, cell[0], cell[1], rows, cols), cols, rows);
            assertThat(turned[0]).isEqualTo(f16(patch[(n - 1) * n]));
            // Orientation 4 (a flip): the new top-left pixel is the old top-right one.
            float[] flipped = code(chunks, 4, Orientation.cell(4, cell[0], cell[1], rows, cols), rows, cols);
            assertThat(flipped[0]).isEqualTo(f16(patch[n - 1]));
            // The mean colour does not depend on the orientation.
            assertThat(flipped[1]).isEqualTo(turned[1]);
            // The patch as scanned: its own top-left pixel, at its own position.
            assertThat(code(chunks, 0, cell, rows, cols)[0]).isEqualTo(f16(patch[0]));
        }
    }

    /** Grids store float16. */
    private static float f16(float v) {
        return org.nic.grid.Float16.toFloat(org.nic.grid.Float16.fromFloat(v));
    }

    /** Code of one cell from the chunks of an orientation's array (8 x 8 cell chunks, 2 channels). */
    private static float[] code(Map<String, byte[]> chunks, int o, int[] at, int rows, int cols) {
        int chunkCols = (cols + 7) / 8;
        String key = Orientation.arrayName(o) + "/0." + at[0] / 8 + "." + at[1] / 8;
        float[] values = ZarrCodec.decodeChunk(chunks.get(key), 2 * 8 * 8);
        assertThat(chunkCols).isPositive();
        return new float[] {values[(at[0] % 8) * 8 + at[1] % 8], values[(8 + at[0] % 8) * 8 + at[1] % 8]};
    }

    /** A 2-channel "encoder": the red value of the top-left pixel, and the mean red value. */
    static final class CornerEncoder implements PatchEncoder {
        @Override
        public int codeSize() {
            return 2;
        }

        @Override
        public String device() {
            return "test";
        }

        @Override
        public void encode(float[] patches, int n, float[] codes) {
            int plane = PATCH * PATCH;
            for (int k = 0; k < n; k++) {
                int base = k * PATCH_FLOATS;
                double sum = 0;
                for (int i = 0; i < plane; i++) {
                    sum += patches[base + i];
                }
                codes[k * 2] = patches[base];
                codes[k * 2 + 1] = (float) (sum / plane);
            }
        }

        @Override
        public void close() {
        }
    }
}
