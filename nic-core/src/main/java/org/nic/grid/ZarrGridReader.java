package org.nic.grid;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.nic.event.EventJson;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;

/**
 * Reads a compressed grid written by the encoder (a Zarr v2 group: {@code codes}, {@code tissue}) back
 * into memory, chunk by chunk; missing chunks are background zeros. Refuses a grid that is not complete
 * (no {@code .zgroup}).
 */
public final class ZarrGridReader {

    private ZarrGridReader() {
    }

    /**
     * @param prefix the group's key prefix, {@code grids/{slideId}/{encoderId}/}
     * @throws StorageException notFound when the grid is missing or incomplete
     */
    public static CompressedGrid read(ObjectStore store, String slideId, String prefix) {
        if (!store.exists(store.uri(prefix + ".zgroup"))) {
            throw new StorageException("no complete grid at " + store.uri(prefix), true, null);
        }
        try {
            JsonNode codes = EventJson.mapper().readTree(store.get(store.uri(prefix + "codes/.zarray")));
            int c = codes.get("shape").get(0).asInt();
            int h = codes.get("shape").get(1).asInt();
            int w = codes.get("shape").get(2).asInt();
            int ch = codes.get("chunks").get(1).asInt();
            int cw = codes.get("chunks").get(2).asInt();
            if (!"<f2".equals(codes.get("dtype").asText())) {
                throw new IllegalArgumentException("unexpected dtype " + codes.get("dtype"));
            }
            GridLayout layout = new GridLayout(c, h, w, ch, cw);
            float[] values = new float[c * h * w];
            for (int chunk = 0; chunk < layout.chunkGridRows() * layout.chunkGridCols(); chunk++) {
                S3Uri key = store.uri(prefix + "codes/" + layout.chunkKey(chunk));
                if (!store.exists(key)) {
                    continue;
                }
                float[] data = ZarrCodec.decodeChunk(store.get(key), layout.chunkValues());
                int r0 = (chunk / layout.chunkGridCols()) * ch;
                int c0 = (chunk % layout.chunkGridCols()) * cw;
                for (int k = 0; k < c; k++) {
                    for (int r = 0; r < ch && r0 + r < h; r++) {
                        for (int col = 0; col < cw && c0 + col < w; col++) {
                            values[(k * h + r0 + r) * w + c0 + col] = data[layout.offsetInChunk(k, r0 + r, c0 + col)];
                        }
                    }
                }
            }
            byte[] mask = ZarrCodec.unzlib(store.get(store.uri(prefix + "tissue/0.0")), h * w);
            boolean[] tissue = new boolean[h * w];
            for (int i = 0; i < tissue.length; i++) {
                tissue[i] = mask[i] != 0;
            }
            return new CompressedGrid(slideId, c, h, w, values, tissue);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable grid metadata under " + prefix, e);
        }
    }
}
