package org.nic.training.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.tiling.GridGeometry;
import org.nic.tiling.RgbImage;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueDetector;
import org.nic.tiling.TissueMask;
import org.nic.tiling.TissueParameters;

/**
 * Mines the tissue-vs-background task from real slides and H&E images with NIC's own tissue detector:
 * 144 px patches at 0.5 um/px whose cell is at least 90% tissue are {@code tissue}, those with none are
 * {@code background}; cells in between are ambiguous and left out. Files are named
 * {@code <source>__<n>.png} so splits can hold whole sources out.
 */
public final class TissueMiner {

    static final int SIDE = PatchDataset.SIDE;
    static final double TISSUE_MIN = 0.9;

    private TissueMiner() {
    }

    /** What was written, per class. */
    public record Mined(int tissue, int background) { }

    /**
     * @param slides whole-slide files (read with their own spacing)
     * @param images plain images of H&E regions, assumed at {@code imageSpacing} um/px
     * @param out folder that receives {@code tissue/} and {@code background/}
     */
    public static Mined mine(List<Path> slides, List<Path> images, double imageSpacing, Path out) throws IOException {
        Path tissueDir = Files.createDirectories(out.resolve("tissue"));
        Path backgroundDir = Files.createDirectories(out.resolve("background"));
        int[] counts = new int[2];
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01,
                TissueParameters.defaults()), "nic-training-miner");
        for (Path slide : slides) {
            String source = sourceName(slide);
            try (SlideReader reader = SlideReaders.installed().open(slide)) {
                SlidePlanner.Result r = planner.plan(source, slide.toUri().toString(), SlideIdentity.of(slide, null),
                        reader, null);
                GridGeometry g = r.plan().grid();
                double cell = g.cellSizeLevel0();
                double margin = (SIDE - 128) / 2.0 * cell / 128;
                int readSide = (int) Math.round(SIDE * cell / 128 / g.levelDownsample());
                int[] px = new int[readSide * readSide];
                for (int row = 0; row < g.rows(); row++) {
                    for (int col = 0; col < g.cols(); col++) {
                        double f = r.mask().tissueFraction(col * cell, row * cell, (col + 1) * cell, (row + 1) * cell);
                        Path dir = f >= TISSUE_MIN ? tissueDir : f == 0 ? backgroundDir : null;
                        if (dir == null) {
                            continue;
                        }
                        reader.readRegion((long) (col * cell - margin), (long) (row * cell - margin), g.level(),
                                readSide, readSide, px);
                        BufferedImage patch = new BufferedImage(readSide, readSide, BufferedImage.TYPE_INT_RGB);
                        patch.setRGB(0, 0, readSide, readSide, px, 0, readSide);
                        write(resize(patch, SIDE), dir, source, counts, dir == tissueDir ? 0 : 1);
                    }
                }
            }
        }
        TissueDetector detector = new TissueDetector(TissueParameters.defaults());
        for (Path file : images) {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new DatasetException("unreadable image " + file);
            }
            String source = sourceName(file);
            int ds = 8;
            TissueMask mask = detector.detect(boxDownsample(image, ds), imageSpacing);
            for (int y = 0; y + SIDE <= image.getHeight(); y += SIDE) {
                for (int x = 0; x + SIDE <= image.getWidth(); x += SIDE) {
                    double f = mask.tissueFraction(x, y, x + SIDE, y + SIDE);
                    Path dir = f >= TISSUE_MIN ? tissueDir : f == 0 ? backgroundDir : null;
                    if (dir != null) {
                        write(toRgb(image.getSubimage(x, y, SIDE, SIDE)), dir, source, counts, dir == tissueDir ? 0 : 1);
                    }
                }
            }
        }
        return new Mined(counts[0], counts[1]);
    }

    private static String sourceName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^a-z0-9-]+", "-");
    }

    private static void write(BufferedImage patch, Path dir, String source, int[] counts, int kind) throws IOException {
        ImageIO.write(patch, "png", dir.resolve(source + "__" + counts[kind]++ + ".png").toFile());
    }

    private static BufferedImage resize(BufferedImage src, int side) {
        if (src.getWidth() == side && src.getHeight() == side) {
            return src;
        }
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, side, side, null);
        g.dispose();
        return out;
    }

    private static BufferedImage toRgb(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, src.getWidth(), src.getHeight());
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    /** Box-averaged copy at 1/ds, alpha composited on white, as the tiler's low-resolution image. */
    static RgbImage boxDownsample(BufferedImage image, int ds) {
        BufferedImage rgb = toRgb(image);
        int w = (image.getWidth() + ds - 1) / ds;
        int h = (image.getHeight() + ds - 1) / ds;
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                long r = 0;
                long g = 0;
                long b = 0;
                int n = 0;
                for (int yy = y * ds; yy < Math.min(image.getHeight(), (y + 1) * ds); yy++) {
                    for (int xx = x * ds; xx < Math.min(image.getWidth(), (x + 1) * ds); xx++) {
                        int p = rgb.getRGB(xx, yy);
                        r += (p >> 16) & 0xFF;
                        g += (p >> 8) & 0xFF;
                        b += p & 0xFF;
                        n++;
                    }
                }
                out[y * w + x] = (int) ((r / n) << 16 | (g / n) << 8 | (b / n));
            }
        }
        return new RgbImage(w, h, out, ds);
    }

    /**
     * Copies labelled tiles whose names say what they are (histolab's fixtures: {@code no-tissue},
     * {@code almost-white} are background, the rest tissue), halved (0.25 to 0.5 um/px) and centre-cropped.
     */
    public static void copyNamedTiles(Path folder, Path out) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        int[] counts = new int[2];
        try (var files = Files.list(folder)) {
            for (Path file : files.sorted().toList()) {
                BufferedImage image = ImageIO.read(file.toFile());
                if (image == null) {
                    throw new DatasetException("unreadable image " + file);
                }
                String name = file.getFileName().toString();
                boolean background = name.contains("no-tissue") || name.contains("almost-white");
                BufferedImage half = new BufferedImage(image.getWidth() / 2, image.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
                java.awt.Graphics2D g = half.createGraphics();
                g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(toRgb(image), 0, 0, half.getWidth(), half.getHeight(), null);
                g.dispose();
                if (Math.min(half.getWidth(), half.getHeight()) < SIDE) {
                    continue;
                }
                BufferedImage crop = half.getSubimage((half.getWidth() - SIDE) / 2, (half.getHeight() - SIDE) / 2, SIDE, SIDE);
                write(toRgb(crop), out.resolve(background ? "background" : "tissue"), "histolab", counts, background ? 1 : 0);
            }
        }
    }

    /** Default inputs from ../shared/data: CMU-1 and every H&E image of images/. */
    public static List<Path> defaultImages(Path data) throws IOException {
        List<Path> images = new ArrayList<>();
        try (var s = Files.list(data.resolve("images"))) {
            s.filter(p -> p.toString().matches(".*\\.(png|jpg|jpeg)$")).sorted().forEach(images::add);
        }
        return images;
    }
}
