package org.nic.cohort;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Writes a {@link SlideLayout} as a pyramidal tiled TIFF that OpenSlide reads as generic-tiff: cells painted
 * from a {@link TileLibrary} into raw RGB, then libvips ({@code vips rawload}) writes JPEG tiles, the
 * pyramid and resolution tags saying 0.5 um/px (which NIC's tiler reads as {@code tiff-resolution}).
 * Cells lie exactly on NIC's grid (origin 0, 128 px), so every patch NIC reads shows one tissue class.
 */
public final class SlideWriter {

    private byte[] canvas = new byte[0];

    /** Paints and writes the slide; returns its file. */
    public Path write(SlideLayout layout, TileLibrary tiles, Random random, Path file) throws IOException, InterruptedException {
        int width = layout.cols() * TileLibrary.CELL;
        int height = layout.rows() * TileLibrary.CELL;
        long bytes = (long) width * height * 3;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("slide of " + width + " x " + height + " px is too large to paint in one piece");
        }
        if (canvas.length != bytes) {
            canvas = new byte[(int) bytes];
        }
        for (int r = 0; r < layout.rows(); r++) {
            for (int c = 0; c < layout.cols(); c++) {
                tiles.paint(layout.at(r, c), random, canvas, width, c * TileLibrary.CELL, r * TileLibrary.CELL);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path raw = file.resolveSibling(file.getFileName() + ".raw");
        Path partial = file.resolveSibling(file.getFileName() + ".part.tif");
        try (OutputStream out = Files.newOutputStream(raw)) {
            out.write(canvas, 0, (int) bytes);
        }
        try {
            run(List.of("vips", "rawload", raw.toString(), partial + "[tile,pyramid,compression=jpeg,Q=85,tile-width=256,"
                    + "tile-height=256,xres=2000,yres=2000,resunit=cm]", String.valueOf(width), String.valueOf(height), "3"));
        } finally {
            Files.deleteIfExists(raw);
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
