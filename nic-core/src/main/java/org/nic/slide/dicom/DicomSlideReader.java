package org.nic.slide.dicom;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.nic.slide.SlideException;
import org.nic.slide.SlideMetadata;
import org.nic.slide.SlideReader;

/**
 * A DICOM whole-slide image (VL Whole Slide Microscopy Image Storage): one instance, or a series in a folder, read
 * with PixelMed. Levels are the VOLUME instances, largest first; LABEL and OVERVIEW images carry patient identifiers
 * and are never read past their header, nor offered as associated images. Frames are decoded on demand into a
 * cache bounded in pixels; no level is ever held whole.
 *
 * <p>What real converters write and this reader tolerates: each level with its own FrameOfReferenceUID (the levels
 * must still cover the same physical extent, which is checked), JPEG data in YCbCr under an RGB
 * PhotometricInterpretation (the JPEG stream's own components decide the colour transform). Two VOLUME instances
 * of one size (further focal planes, optical paths or a concatenation) are not merged: the first is read, and the
 * log says so.
 */
public final class DicomSlideReader implements SlideReader {

    private static final Logger LOG = Logger.getLogger(DicomSlideReader.class);

    /** Decoded pixels the frame cache may hold per open slide (64 MiB of packed RGB). */
    static final long CACHE_PIXELS = 16L << 20;
    /** How far a level's physical extent may differ from level 0's before the series counts as inconsistent. */
    static final double EXTENT_TOLERANCE = 0.03;

    private final Path path;
    private final List<DicomLevel> levels;
    private final Map<String, String> properties;
    private final FrameCache cache = new FrameCache(CACHE_PIXELS);
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private DicomSlideReader(Path path, List<DicomLevel> levels, Map<String, String> properties) {
        this.path = path;
        this.levels = levels;
        this.properties = properties;
    }

    /** Opens one instance, or the series of a folder's DICOM files. */
    public static DicomSlideReader open(Path path) {
        List<Path> files = files(path);
        if (files.isEmpty()) {
            throw new SlideException(SlideException.Kind.UNSUPPORTED_FORMAT, path, "no DICOM file");
        }
        List<DicomInstance> instances = files.stream().map(DicomInstance::read).toList();
        List<DicomInstance> slides = instances.stream().filter(DicomInstance::isSlide).toList();
        if (slides.isEmpty()) {
            throw new SlideException(SlideException.Kind.NOT_A_SLIDE, path, "no VL Whole Slide Microscopy image (SOP class "
                    + instances.stream().map(DicomInstance::sopClassUid).distinct().toList() + ")");
        }
        List<DicomInstance> volumes = slides.stream().filter(DicomInstance::isVolume).toList();
        if (volumes.isEmpty()) {
            throw new SlideException(SlideException.Kind.NO_VOLUME_IMAGE, path, "no VOLUME image, only "
                    + slides.stream().map(DicomInstance::imageFlavor).distinct().toList());
        }
        List<String> series = volumes.stream().map(DicomInstance::seriesUid).distinct().toList();
        if (series.size() > 1) {
            throw new SlideException(SlideException.Kind.INCONSISTENT_SERIES, path, series.size()
                    + " series among the VOLUME images: one slide is one series");
        }
        for (DicomInstance v : volumes) {
            SlideException why = v.undecodable();
            if (why != null) {
                throw why;
            }
        }
        List<DicomInstance> sorted = new ArrayList<>(volumes);
        sorted.sort(Comparator.comparingLong(DicomInstance::totalColumns).thenComparingLong(DicomInstance::totalRows)
                .reversed());
        List<DicomLevel> levels = new ArrayList<>();
        for (DicomInstance v : sorted) {
            DicomLevel previous = levels.isEmpty() ? null : levels.get(levels.size() - 1);
            if (previous != null && previous.width() == v.totalColumns() && previous.height() == v.totalRows()) {
                LOG.infof("DICOM slide: a second VOLUME instance of %d x %d px is not read (another focal plane, optical"
                        + " path or concatenation)", v.totalColumns(), v.totalRows());
                continue;
            }
            levels.add(new DicomLevel(v));
        }
        checkExtents(path, levels);
        DicomInstance base = levels.get(0).instance();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("dicom.transfer-syntax", base.transferSyntaxUid());
        props.put("dicom.photometric-interpretation", base.photometric());
        props.put("dicom.tile-size", base.tileColumns() + "x" + base.tileRows());
        props.put("dicom.dimension-organization", base.sparse() ? "TILED_SPARSE" : "TILED_FULL");
        props.put("dicom.levels", String.valueOf(levels.size()));
        if (base.spacingColumnMm() != null && base.spacingRowMm() != null) {
            props.put(SlideMetadata.DICOM_MPP_X, String.valueOf(base.spacingColumnMm() * 1000));
            props.put(SlideMetadata.DICOM_MPP_Y, String.valueOf(base.spacingRowMm() * 1000));
        }
        return new DicomSlideReader(path, List.copyOf(levels), Map.copyOf(props));
    }

    /** The file itself, or a folder's DICOM files (not its subfolders), in name order. */
    static List<Path> files(Path path) {
        if (!Files.isDirectory(path)) {
            return DicomInstance.isDicom(path) ? List.of(path) : List.of();
        }
        try (Stream<Path> list = Files.list(path)) {
            return list.filter(DicomInstance::isDicom).sorted().toList();
        } catch (IOException e) {
            throw new SlideException(SlideException.Kind.OPEN_FAILED, path, "cannot list the folder: "
                    + e.getClass().getSimpleName());
        }
    }

    /** Every level must image the same extent as level 0 (within 3%, or two of its pixels on small levels). */
    private static void checkExtents(Path path, List<DicomLevel> levels) {
        DicomInstance base = levels.get(0).instance();
        if (base.spacingColumnMm() == null || base.spacingRowMm() == null) {
            return;
        }
        double width = base.totalColumns() * base.spacingColumnMm();
        double height = base.totalRows() * base.spacingRowMm();
        for (DicomLevel level : levels.subList(1, levels.size())) {
            DicomInstance i = level.instance();
            if (i.spacingColumnMm() == null || i.spacingRowMm() == null) {
                continue;
            }
            double w = i.totalColumns() * i.spacingColumnMm();
            double h = i.totalRows() * i.spacingRowMm();
            if (Math.abs(w - width) > Math.max(EXTENT_TOLERANCE * width, 2 * i.spacingColumnMm())
                    || Math.abs(h - height) > Math.max(EXTENT_TOLERANCE * height, 2 * i.spacingRowMm())) {
                throw new SlideException(SlideException.Kind.INCONSISTENT_SERIES, path, String.format(
                        "a level of %d x %d px images %.3f x %.3f mm, level 0 %.3f x %.3f mm", i.totalColumns(), i.totalRows(),
                        w, h, width, height));
            }
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String readerName() {
        return "pixelmed-" + DicomSlideReaderProvider.PIXELMED_VERSION;
    }

    @Override
    public String vendor() {
        return "dicom";
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public int levelCount() {
        return levels.size();
    }

    @Override
    public LevelDimensions levelDimensions(int level) {
        DicomLevel l = level(level);
        return new LevelDimensions(l.width(), l.height());
    }

    @Override
    public double levelDownsample(int level) {
        DicomLevel l = level(level);
        DicomLevel base = levels.get(0);
        return ((double) base.width() / l.width() + (double) base.height() / l.height()) / 2;
    }

    @Override
    public void readRegion(long x, long y, int level, int width, int height, int[] dest) {
        if (width < 0 || height < 0 || dest.length < (long) width * height) {
            throw new IllegalArgumentException("bad region " + width + " x " + height + " for " + dest.length + " ints");
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new SlideException(SlideException.Kind.CLOSED, path, "reader is closed");
            }
            DicomLevel l = level(level);
            double ds = levelDownsample(level);
            long lx = (long) Math.floor(x / ds);
            long ly = (long) Math.floor(y / ds);
            Arrays.fill(dest, 0, width * height, 0xFFFFFF);
            int tw = l.instance().tileColumns();
            int th = l.instance().tileRows();
            long right = Math.min(lx + width, l.width());
            long bottom = Math.min(ly + height, l.height());
            long left = Math.max(lx, 0);
            long top = Math.max(ly, 0);
            if (left >= right || top >= bottom) {
                return;
            }
            for (long ty = top / th; ty <= (bottom - 1) / th; ty++) {
                for (long tx = left / tw; tx <= (right - 1) / tw; tx++) {
                    int frame = l.frameAt((int) tx, (int) ty);
                    if (frame < 0) {
                        continue; // a sparse tile no frame covers: background
                    }
                    int[] tile = cache.get(level, frame, () -> l.decode(frame));
                    long x0 = Math.max(left, tx * tw);
                    long x1 = Math.min(right, (tx + 1) * tw);
                    long y0 = Math.max(top, ty * th);
                    long y1 = Math.min(bottom, (ty + 1) * th);
                    for (long py = y0; py < y1; py++) {
                        System.arraycopy(tile, (int) ((py - ty * th) * tw + (x0 - tx * tw)), dest,
                                (int) ((py - ly) * width + (x0 - lx)), (int) (x1 - x0));
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private DicomLevel level(int level) {
        if (level < 0 || level >= levels.size()) {
            throw new IllegalArgumentException("no level " + level + " (" + levels.size() + " levels)");
        }
        return levels.get(level);
    }

    /** None: label and overview images carry patient identifiers; NIC renders its own thumbnails from the levels. */
    @Override
    public Set<String> associatedImageNames() {
        return Set.of();
    }

    @Override
    public BufferedImage readAssociatedImage(String name) {
        throw new SlideException(SlideException.Kind.READ_FAILED, path, "no associated image " + name
                + " (label, overview and thumbnail images are not read)");
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            cache.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Decoded frames, least recently used out first, bounded in pixels. A frame being decoded is decoded once: other
     * threads that want it wait for that decode (reader threads take neighbouring cells, which share frames).
     */
    static final class FrameCache {
        private final long maxPixels;
        private final LinkedHashMap<Long, java.util.concurrent.CompletableFuture<int[]>> frames =
                new LinkedHashMap<>(64, 0.75f, true);
        private long pixels;

        FrameCache(long maxPixels) {
            this.maxPixels = maxPixels;
        }

        int[] get(int level, int frame, java.util.function.Supplier<int[]> decode) {
            long key = ((long) level << 40) | frame;
            java.util.concurrent.CompletableFuture<int[]> entry;
            boolean mine = false;
            synchronized (this) {
                entry = frames.get(key);
                if (entry == null) {
                    entry = new java.util.concurrent.CompletableFuture<>();
                    frames.put(key, entry);
                    mine = true;
                }
            }
            if (mine) {
                int[] decoded;
                try {
                    decoded = decode.get(); // outside the lock: other threads read other frames meanwhile
                } catch (RuntimeException | Error e) {
                    entry.completeExceptionally(e);
                    synchronized (this) {
                        frames.remove(key, entry);
                    }
                    throw e;
                }
                entry.complete(decoded);
                synchronized (this) {
                    pixels += decoded.length;
                    var it = frames.entrySet().iterator();
                    while (pixels > maxPixels && it.hasNext()) {
                        var eldest = it.next();
                        if (eldest.getKey() == key || !eldest.getValue().isDone()) {
                            continue; // the frame just decoded, or one still being decoded
                        }
                        pixels -= eldest.getValue().join().length;
                        it.remove();
                    }
                }
                return decoded;
            }
            try {
                return entry.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }

        synchronized long pixels() {
            return pixels;
        }

        synchronized void clear() {
            frames.clear();
            pixels = 0;
        }
    }
}
