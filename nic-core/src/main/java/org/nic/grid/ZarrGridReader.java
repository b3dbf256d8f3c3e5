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
 * into memory, chunk by chunk. Refuses a grid that is not complete (no {@code .zgroup}), and one that is not what
 * its encoder wrote ({@link GridCorruptException}): a chunk holding tissue cells that is missing, a chunk whose bytes
 * differ from the SHA-256 in the grid's manifest ({@code .zattrs} {@code nic.chunks}, written by the encoder before
 * {@code .zgroup}; grids written before it have none and are checked for missing tissue chunks only), or one that
 * does not decode. Only chunks without tissue, which the encoder never writes, are zeros.
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
            S3Uri attrs = store.uri(prefix + ".zattrs");
            JsonNode manifest = store.exists(attrs) ? EventJson.mapper().readTree(store.get(attrs)).path("nic").path("chunks")
                    : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
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
            byte[] mask = decoded(slideId, "tissue/0.0", () -> ZarrCodec.unzlib(verified(store, slideId, prefix, "tissue/0.0",
                    manifest, true), h * w));
            boolean[] tissue = new boolean[h * w];
            int[] tissuePerChunk = new int[layout.chunkGridRows() * layout.chunkGridCols()];
            for (int i = 0; i < tissue.length; i++) {
                tissue[i] = mask[i] != 0;
                if (tissue[i]) {
                    tissuePerChunk[layout.chunkOf(i / w, i % w)]++;
                }
            }
            float[] values = new float[c * h * w];
            for (int chunk = 0; chunk < tissuePerChunk.length; chunk++) {
                String key = "codes/" + layout.chunkKey(chunk);
                boolean expected = tissuePerChunk[chunk] > 0 || manifest.has(key);
                byte[] stored = verified(store, slideId, prefix, key, manifest, expected);
                if (stored == null) {
                    continue;
                }
                float[] data = decoded(slideId, key, () -> ZarrCodec.decodeChunk(stored, layout.chunkValues()));
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
            return new CompressedGrid(slideId, c, h, w, values, tissue);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable grid metadata under " + prefix, e);
        }
    }

    /**
     * A chunk's stored bytes, checked against the manifest; null for an absent chunk that nothing expects.
     *
     * @param expected whether the chunk must exist (it holds tissue cells, or the manifest lists it)
     */
    static byte[] verified(ObjectStore store, String slideId, String prefix, String key, JsonNode manifest,
                           boolean expected) {
        S3Uri uri = store.uri(prefix + key);
        byte[] bytes;
        try {
            // One request per chunk: a missing chunk is the store's not-found, not an exists() first.
            bytes = store.get(uri);
        } catch (org.nic.storage.StorageException e) {
            if (!e.notFound()) {
                throw e;
            }
            if (expected) {
                throw new GridCorruptException(slideId, "grid of slide " + slideId + ": chunk " + key
                        + " holds tissue cells or is in the manifest, and is missing");
            }
            return null;
        }
        if (manifest.isObject() && !manifest.isEmpty()) {
            String sha = manifest.path(key).asText(null);
            if (sha == null) {
                throw new GridCorruptException(slideId, "grid of slide " + slideId + ": chunk " + key
                        + " is stored but not in the grid's manifest");
            }
            if (!sha.equals(org.nic.hash.Sha256.hex(bytes))) {
                throw new GridCorruptException(slideId, "grid of slide " + slideId + ": chunk " + key
                        + " does not match the SHA-256 its encoder recorded");
            }
        }
        return bytes;
    }

    private static <T> T decoded(String slideId, String key, java.util.function.Supplier<T> decode) {
        try {
            return decode.get();
        } catch (RuntimeException e) {
            throw new GridCorruptException(slideId, "grid of slide " + slideId + ": chunk " + key + " does not decode ("
                    + e.getMessage() + ")");
        }
    }
}
