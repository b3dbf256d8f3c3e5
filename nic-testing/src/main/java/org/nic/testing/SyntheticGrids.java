package org.nic.testing;

import java.util.Map;
import java.util.Random;
import org.nic.grid.CompressedGrid;
import org.nic.grid.GridLayout;
import org.nic.grid.ZarrCodec;
import org.nic.storage.ObjectStore;

/**
 * Small compressed grids with a known signal (channel 0 over tissue carries it, everything else is noise),
 * written as the encoder writes them, for the heads' tests.
 */
public final class SyntheticGrids {

    private SyntheticGrids() {
    }

    /** A 20 x 20 grid, tissue in its middle 16 x 16, channel 0 = signal + noise. */
    public static CompressedGrid grid(String slide, int channels, double signal, Random r) {
        int rows = 20;
        int cols = 20;
        float[] codes = new float[channels * rows * cols];
        boolean[] tissue = new boolean[rows * cols];
        for (int y = 2; y < rows - 2; y++) {
            for (int x = 2; x < cols - 2; x++) {
                tissue[y * cols + x] = true;
                for (int c = 0; c < channels; c++) {
                    codes[(c * rows + y) * cols + x] = (float) ((c == 0 ? signal : 0) + r.nextGaussian() * 0.5);
                }
            }
        }
        return new CompressedGrid(slide, channels, rows, cols, codes, tissue);
    }

    /** Writes a grid under {@code prefix} as a complete Zarr v2 group (one 32 x 32 chunk). */
    public static void write(ObjectStore store, String prefix, CompressedGrid g) {
        GridLayout layout = new GridLayout(g.channels(), g.rows(), g.cols(), 32, 32);
        float[] chunk = new float[layout.chunkValues()];
        for (int c = 0; c < g.channels(); c++) {
            for (int y = 0; y < g.rows(); y++) {
                for (int x = 0; x < g.cols(); x++) {
                    chunk[layout.offsetInChunk(c, y, x)] = g.codes()[(c * g.rows() + y) * g.cols() + x];
                }
            }
        }
        store.put(prefix + "codes/0.0.0", ZarrCodec.encodeChunk(chunk), "application/octet-stream");
        byte[] mask = new byte[g.rows() * g.cols()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (byte) (g.tissue()[i] ? 1 : 0);
        }
        store.put(prefix + "tissue/0.0", ZarrCodec.zlib(mask), "application/octet-stream");
        store.put(prefix + "tissue/.zarray", ZarrCodec.json(ZarrCodec.tissueArray(g.rows(), g.cols())), "application/json");
        store.put(prefix + "codes/.zarray", ZarrCodec.json(ZarrCodec.codesArray(layout)), "application/json");
        store.put(prefix + ".zgroup", ZarrCodec.json(Map.of("zarr_format", 2)), "application/json");
    }
}
