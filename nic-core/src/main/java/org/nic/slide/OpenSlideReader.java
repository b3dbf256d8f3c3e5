package org.nic.slide;

import com.sun.jna.Pointer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link SlideReader} over the OpenSlide C library. Reads share the handle concurrently (OpenSlide is
 * thread-safe); close takes the write side of a lock so it never frees a handle under a read.
 * OpenSlide's sticky error string becomes a {@link SlideException} naming the slide.
 */
public final class OpenSlideReader implements SlideReader {

    private static volatile OpenSlideLibrary library;

    private final Path path;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Pointer handle;
    private final String vendor;
    private final Map<String, String> properties;
    private final LevelDimensions[] dimensions;
    private final double[] downsamples;
    private final Set<String> associatedNames;

    private OpenSlideReader(Path path, Pointer handle, String vendor) {
        this.path = path;
        this.handle = handle;
        this.vendor = vendor;
        OpenSlideLibrary lib = library();
        int levels = lib.openslide_get_level_count(handle);
        checkError();
        if (levels < 1) {
            throw new SlideException(SlideException.Kind.READ_FAILED, path, "OpenSlide reports no levels");
        }
        dimensions = new LevelDimensions[levels];
        downsamples = new double[levels];
        for (int level = 0; level < levels; level++) {
            long[] w = new long[1];
            long[] h = new long[1];
            lib.openslide_get_level_dimensions(handle, level, w, h);
            dimensions[level] = new LevelDimensions(w[0], h[0]);
            downsamples[level] = lib.openslide_get_level_downsample(handle, level);
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : stringArray(lib.openslide_get_property_names(handle))) {
            props.put(name, lib.openslide_get_property_value(handle, name));
        }
        properties = Collections.unmodifiableMap(props);
        associatedNames = Collections.unmodifiableSet(
                new LinkedHashSet<>(java.util.List.of(stringArray(lib.openslide_get_associated_image_names(handle)))));
        checkError();
    }

    /** The OpenSlide library, loaded on first use. */
    static OpenSlideLibrary library() {
        OpenSlideLibrary lib = library;
        if (lib == null) {
            synchronized (OpenSlideReader.class) {
                if (library == null) {
                    library = OpenSlideLibrary.load();
                }
                lib = library;
            }
        }
        return lib;
    }

    /** Whether the OpenSlide library can be loaded on this machine. */
    public static boolean isAvailable() {
        try {
            library();
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** OpenSlide's own version string, e.g. {@code 3.4.1}. */
    public static String libraryVersion() {
        return library().openslide_get_version();
    }

    /** The vendor OpenSlide would use for this file, or null if it cannot read it. */
    public static String detectVendor(Path path) {
        return library().openslide_detect_vendor(path.toString());
    }

    /**
     * Opens a slide.
     *
     * @throws SlideException UNSUPPORTED_FORMAT when OpenSlide does not recognise the file, OPEN_FAILED
     *     when it recognises it but fails
     */
    public static OpenSlideReader open(Path path) {
        OpenSlideLibrary lib = library();
        String file = path.toString();
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new SlideException(SlideException.Kind.OPEN_FAILED, path, "no such file");
        }
        String vendor = lib.openslide_detect_vendor(file);
        Pointer handle = lib.openslide_open(file);
        if (handle == null) {
            throw new SlideException(SlideException.Kind.UNSUPPORTED_FORMAT, path,
                    "not a slide format OpenSlide " + lib.openslide_get_version() + " can open");
        }
        String error = lib.openslide_get_error(handle);
        if (error != null) {
            lib.openslide_close(handle);
            throw new SlideException(SlideException.Kind.OPEN_FAILED, path, "OpenSlide: " + error);
        }
        try {
            return new OpenSlideReader(path, handle, vendor == null ? "unknown" : vendor);
        } catch (RuntimeException e) {
            lib.openslide_close(handle);
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String readerName() {
        return "openslide-" + libraryVersion();
    }

    @Override
    public String vendor() {
        return vendor;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public int levelCount() {
        return dimensions.length;
    }

    @Override
    public LevelDimensions levelDimensions(int level) {
        checkLevel(level);
        return dimensions[level];
    }

    @Override
    public double levelDownsample(int level) {
        checkLevel(level);
        return downsamples[level];
    }

    @Override
    public void readRegion(long x, long y, int level, int width, int height, int[] dest) {
        checkLevel(level);
        if (width < 0 || height < 0 || dest.length < (long) width * height) {
            throw new IllegalArgumentException("bad region size " + width + "x" + height + " for buffer " + dest.length);
        }
        lock.readLock().lock();
        try {
            Pointer osr = openHandle();
            library().openslide_read_region(osr, dest, x, y, level, width, height);
            checkError();
        } finally {
            lock.readLock().unlock();
        }
        int n = width * height;
        for (int i = 0; i < n; i++) {
            dest[i] = onWhite(dest[i]);
        }
    }

    @Override
    public Set<String> associatedImageNames() {
        return associatedNames;
    }

    @Override
    public BufferedImage readAssociatedImage(String name) {
        if (!associatedNames.contains(name)) {
            throw new IllegalArgumentException(path.getFileName() + " has no associated image " + name);
        }
        lock.readLock().lock();
        try {
            Pointer osr = openHandle();
            long[] w = new long[1];
            long[] h = new long[1];
            library().openslide_get_associated_image_dimensions(osr, name, w, h);
            checkError();
            int width = Math.toIntExact(w[0]);
            int height = Math.toIntExact(h[0]);
            int[] pixels = new int[Math.multiplyExact(width, height)];
            library().openslide_read_associated_image(osr, name, pixels);
            checkError();
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = onWhite(pixels[i]);
            }
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, width, height, pixels, 0, width);
            return image;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != null) {
                library().openslide_close(handle);
                handle = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return handle == null;
        } finally {
            lock.readLock().unlock();
        }
    }

    private Pointer openHandle() {
        if (handle == null) {
            throw new SlideException(SlideException.Kind.CLOSED, path, "slide reader is closed");
        }
        return handle;
    }

    private void checkError() {
        String error = library().openslide_get_error(handle);
        if (error != null) {
            throw new SlideException(SlideException.Kind.READ_FAILED, path, "OpenSlide: " + error);
        }
    }

    private void checkLevel(int level) {
        if (level < 0 || level >= dimensions.length) {
            throw new IllegalArgumentException(path.getFileName() + " has no level " + level
                    + " (levels: " + dimensions.length + ")");
        }
    }

    /** Premultiplied ARGB to opaque RGB over a white background: c + (255 - a). */
    static int onWhite(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb & 0xFFFFFF;
        }
        int white = 255 - a;
        int r = ((argb >>> 16) & 0xFF) + white;
        int g = ((argb >>> 8) & 0xFF) + white;
        int b = (argb & 0xFF) + white;
        return (Math.min(r, 255) << 16) | (Math.min(g, 255) << 8) | Math.min(b, 255);
    }

    private static String[] stringArray(Pointer p) {
        return p == null ? new String[0] : p.getStringArray(0);
    }
}
