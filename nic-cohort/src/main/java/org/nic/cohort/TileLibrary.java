package org.nic.cohort;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Real tissue to paint synthetic slides with: Kather 2016 colorectal tiles (150 px at 0.495 um/px, NIC's
 * scale within 1%), one list per class, only from the given source slides ({@code CRC-Prim-HE-NN}), so that
 * training and test cohorts can be painted from different patients. A cell gets a random 128 px crop of a
 * random tile of its class in one of the 8 orientations.
 */
public final class TileLibrary {

    public static final int CELL = 128;
    private static final Pattern SOURCE = Pattern.compile("CRC-Prim-HE-(\\d+)");

    private final Map<TissueClass, List<int[]>> tiles = new EnumMap<>(TissueClass.class);
    private final Map<TissueClass, List<Integer>> sides = new EnumMap<>(TissueClass.class);

    /**
     * @param kather the Kather 2016 folder (class subfolders)
     * @param sources source slide numbers whose tiles may be used (e.g. 1, 3, 4)
     */
    public static TileLibrary load(Path kather, Set<Integer> sources) {
        TileLibrary library = new TileLibrary();
        for (TissueClass type : TissueClass.values()) {
            if (type.katherFolder() == null) {
                continue;
            }
            List<int[]> pixels = new ArrayList<>();
            List<Integer> side = new ArrayList<>();
            try (Stream<Path> files = Files.list(kather.resolve(type.katherFolder()))) {
                for (Path f : files.sorted().toList()) {
                    Matcher m = SOURCE.matcher(f.getFileName().toString());
                    if (!m.find() || !sources.contains(Integer.parseInt(m.group(1)))) {
                        continue;
                    }
                    BufferedImage image = ImageIO.read(f.toFile());
                    if (image == null || image.getWidth() < CELL || image.getHeight() < CELL) {
                        continue;
                    }
                    int s = Math.min(image.getWidth(), image.getHeight());
                    pixels.add(image.getRGB(0, 0, s, s, null, 0, s));
                    side.add(s);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Kather tiles under " + kather, e);
            }
            if (pixels.isEmpty()) {
                throw new IllegalArgumentException("no " + type.katherFolder() + " tiles from source slides " + sources
                        + " under " + kather);
            }
            library.tiles.put(type, pixels);
            library.sides.put(type, side);
        }
        return library;
    }

    public int size(TissueClass type) {
        return tiles.get(type).size();
    }

    /** Paints one cell: a random crop of a random tile of {@code type}, in a random orientation, or glass. */
    public void paint(TissueClass type, Random random, byte[] canvas, int width, int x0, int y0) {
        if (type == TissueClass.BACKGROUND) {
            for (int y = 0; y < CELL; y++) {
                int row = ((y0 + y) * width + x0) * 3;
                for (int x = 0; x < CELL; x++) {
                    int noise = (int) Math.round(random.nextGaussian() * 2);
                    canvas[row + x * 3] = (byte) (243 + noise);
                    canvas[row + x * 3 + 1] = (byte) (242 + noise);
                    canvas[row + x * 3 + 2] = (byte) (240 + noise);
                }
            }
            return;
        }
        List<int[]> list = tiles.get(type);
        int k = random.nextInt(list.size());
        int[] tile = list.get(k);
        int side = sides.get(type).get(k);
        int ox = random.nextInt(side - CELL + 1);
        int oy = random.nextInt(side - CELL + 1);
        int orientation = random.nextInt(8);
        for (int y = 0; y < CELL; y++) {
            int row = ((y0 + y) * width + x0) * 3;
            for (int x = 0; x < CELL; x++) {
                // Orientation: bit 2 flips, bits 0-1 turn by 90 degrees.
                int u = (orientation & 4) != 0 ? CELL - 1 - x : x;
                int v = y;
                for (int t = 0; t < (orientation & 3); t++) {
                    int w = u;
                    u = CELL - 1 - v;
                    v = w;
                }
                int p = tile[(oy + v) * side + ox + u];
                canvas[row + x * 3] = (byte) (p >> 16);
                canvas[row + x * 3 + 1] = (byte) (p >> 8);
                canvas[row + x * 3 + 2] = (byte) p;
            }
        }
    }
}
