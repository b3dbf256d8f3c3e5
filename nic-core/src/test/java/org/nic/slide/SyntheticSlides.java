package org.nic.slide;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Synthetic pyramidal slides of any size with real H&E texture: a real 1000 x 1000 px H&E region
 * (TCGA-HE-7130, ../shared/data/images) tiled by libvips into a JPEG-compressed tiled pyramidal TIFF,
 * which OpenSlide reads as generic-tiff. libvips writes the spacing as TIFF resolution tags (centimetre
 * unit), as slide converters do. Needs the {@code vips} command (libvips-tools).
 */
public final class SyntheticSlides {

    private SyntheticSlides() {
    }

    public static Path realTexture() {
        return TestSlides.data().resolve("images/tiatoolbox__tests_data__TCGA-HE-7130-01Z-00-DX1.png");
    }

    /** Writes a {@code repeat * 1000} px square slide at 0.5 um/px unless the file is already there. */
    public static Path pyramid(Path file, int repeat) throws IOException, InterruptedException {
        return pyramid(file, repeat, 0.5, "cm");
    }

    /**
     * Writes a {@code repeat * 1000} px square slide unless the file is already there.
     *
     * @param mpp spacing written into the resolution tags; null leaves libvips' default (1 px/mm)
     * @param unit resolution unit of the tags, {@code cm} or {@code inch}
     */
    public static Path pyramid(Path file, int repeat, Double mpp, String unit) throws IOException, InterruptedException {
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".part.tif");
        // libvips takes resolution in pixels per millimetre whatever the unit it writes.
        String resolution = mpp == null ? "" : String.format(java.util.Locale.ROOT, ",xres=%.6f,yres=%.6f,resunit=%s",
                1000 / mpp, 1000 / mpp, unit);
        String target = partial + "[tile,pyramid,compression=jpeg,Q=85,tile-width=256,tile-height=256" + resolution + "]";
        run(List.of("vips", "replicate", realTexture().toString(), target, String.valueOf(repeat), String.valueOf(repeat)));
        Files.move(partial, file);
        return file;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
