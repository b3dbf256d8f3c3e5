package org.nic.grid;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Zarr v2 encoding of NIC's grids: little-endian float16 ({@code <f2}), C order, each chunk compressed
 * with zlib (numcodecs' {@code zlib}, which Python's zlib module also reads), fill value 0 so that chunks
 * never written (background) read as zeros.
 */
public final class ZarrCodec {

    public static final int ZLIB_LEVEL = 1;

    private ZarrCodec() {
    }

    /** The {@code .zarray} document of the codes array. */
    public static Map<String, Object> codesArray(GridLayout layout) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("zarr_format", 2);
        a.put("shape", List.of(layout.channels(), layout.rows(), layout.cols()));
        a.put("chunks", List.of(layout.channels(), layout.chunkRows(), layout.chunkCols()));
        a.put("dtype", "<f2");
        a.put("compressor", Map.of("id", "zlib", "level", ZLIB_LEVEL));
        a.put("fill_value", 0.0);
        a.put("order", "C");
        a.put("filters", null);
        a.put("dimension_separator", ".");
        return a;
    }

    /** The {@code .zarray} document of the cell-level tissue mask (uint8, one chunk). */
    public static Map<String, Object> tissueArray(int rows, int cols) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("zarr_format", 2);
        a.put("shape", List.of(rows, cols));
        a.put("chunks", List.of(rows, cols));
        a.put("dtype", "|u1");
        a.put("compressor", Map.of("id", "zlib", "level", ZLIB_LEVEL));
        a.put("fill_value", 0);
        a.put("order", "C");
        a.put("filters", null);
        a.put("dimension_separator", ".");
        return a;
    }

    /** A Zarr metadata document as JSON; nulls are kept ({@code "filters": null} is required). */
    public static byte[] json(Map<String, Object> document) {
        try {
            return PLAIN.writeValueAsBytes(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PLAIN = new com.fasterxml.jackson.databind.ObjectMapper();

    public static byte[] encodeChunk(float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putShort(Float16.fromFloat(v));
        }
        return zlib(raw.array());
    }

    public static float[] decodeChunk(byte[] compressed, int values) {
        ByteBuffer raw = ByteBuffer.wrap(unzlib(compressed, values * 2)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[values];
        for (int i = 0; i < values; i++) {
            out[i] = Float16.toFloat(raw.getShort());
        }
        return out;
    }

    public static byte[] zlib(byte[] raw) {
        Deflater deflater = new Deflater(ZLIB_LEVEL);
        try {
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    public static byte[] unzlib(byte[] compressed, int size) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[size];
            int n = 0;
            while (n < size && !inflater.finished()) {
                int k = inflater.inflate(out, n, size - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != size) {
                throw new IllegalArgumentException("chunk holds " + n + " bytes, expected " + size);
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt zlib chunk: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
