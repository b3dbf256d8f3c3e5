package org.nic.tiler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a valid tiled RGB TIFF of any size in a few megabytes: every tile entry points at the same stored tile (white,
 * uncompressed), so only the tile tables grow with the image. For headers no real slide has, e.g. 300,000,000 x 60 px,
 * which libvips would have to push through its pipeline pixel by pixel (57 GB of padded tiles).
 */
public final class SharedTileTiff {

    static final int TILE_WIDTH = 256;
    static final int TILE_HEIGHT = 64;

    private SharedTileTiff() {
    }

    public static void write(Path file, long width, long height) throws IOException {
        long tiles = ((width + TILE_WIDTH - 1) / TILE_WIDTH) * ((height + TILE_HEIGHT - 1) / TILE_HEIGHT);
        int entries = 11;
        long ifd = 8;
        long bits = ifd + 2 + entries * 12L + 4;
        long tile = bits + 6;
        int tileBytes = TILE_WIDTH * TILE_HEIGHT * 3;
        long offsets = tile + tileBytes;
        long counts = offsets + 4 * tiles;
        ByteBuffer head = ByteBuffer.allocate((int) offsets).order(ByteOrder.LITTLE_ENDIAN);
        head.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt((int) ifd);
        head.putShort((short) entries);
        entry(head, 256, 4, 1, width);           // ImageWidth, LONG
        entry(head, 257, 4, 1, height);          // ImageLength
        entry(head, 258, 3, 3, bits);            // BitsPerSample 8,8,8 (at an offset)
        entry(head, 259, 3, 1, 1);               // Compression: none
        entry(head, 262, 3, 1, 2);               // PhotometricInterpretation: RGB
        entry(head, 277, 3, 1, 3);               // SamplesPerPixel
        entry(head, 284, 3, 1, 1);               // PlanarConfiguration: chunky
        entry(head, 322, 4, 1, TILE_WIDTH);      // TileWidth
        entry(head, 323, 4, 1, TILE_HEIGHT);     // TileLength
        entry(head, 324, 4, tiles, offsets);     // TileOffsets
        entry(head, 325, 4, tiles, counts);      // TileByteCounts
        head.putInt(0);                          // no next IFD
        head.putShort((short) 8).putShort((short) 8).putShort((short) 8);
        while (head.hasRemaining()) {
            head.put((byte) 0xFF);               // the one stored tile: white
        }
        head.flip();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(head);
            ByteBuffer table = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int pass = 0; pass < 2; pass++) {
                for (long t = 0; t < tiles; t++) {
                    if (!table.hasRemaining()) {
                        table.flip();
                        out.write(table);
                        table.clear();
                    }
                    table.putInt(pass == 0 ? (int) tile : tileBytes);
                }
            }
            table.flip();
            out.write(table);
        }
    }

    private static void entry(ByteBuffer b, int tag, int type, long count, long value) {
        b.putShort((short) tag).putShort((short) type).putInt((int) count);
        if (type == 3 && count == 1) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt((int) value);
        }
    }
}
