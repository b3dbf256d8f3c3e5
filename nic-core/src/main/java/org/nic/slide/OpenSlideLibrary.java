package org.nic.slide;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;

/**
 * The slice of OpenSlide's C API that NIC uses, bound with JNA. Only {@link OpenSlideReader} calls it.
 * See openslide.h: every function is thread-safe on a shared handle except close.
 */
interface OpenSlideLibrary extends Library {

    /** Shared library names tried in order: OpenSlide 4 first, then Debian 12's 3.4.1. */
    List<String> LIBRARY_NAMES = List.of("libopenslide.so.1", "libopenslide.so.0", "openslide");

    /** System property that names the library file explicitly, e.g. for a custom build. */
    String LIBRARY_PROPERTY = "nic.openslide.library";

    String openslide_get_version();

    String openslide_detect_vendor(String filename);

    Pointer openslide_open(String filename);

    void openslide_close(Pointer osr);

    String openslide_get_error(Pointer osr);

    int openslide_get_level_count(Pointer osr);

    void openslide_get_level_dimensions(Pointer osr, int level, long[] w, long[] h);

    double openslide_get_level_downsample(Pointer osr, int level);

    void openslide_read_region(Pointer osr, int[] dest, long x, long y, int level, long w, long h);

    Pointer openslide_get_property_names(Pointer osr);

    String openslide_get_property_value(Pointer osr, String name);

    Pointer openslide_get_associated_image_names(Pointer osr);

    void openslide_get_associated_image_dimensions(Pointer osr, String name, long[] w, long[] h);

    void openslide_read_associated_image(Pointer osr, String name, int[] dest);

    /** Loads the library once; throws {@link UnsatisfiedLinkError} listing every name tried. */
    static OpenSlideLibrary load() {
        List<String> names = new ArrayList<>();
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            names.add(explicit);
        }
        names.addAll(LIBRARY_NAMES);
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            try {
                return Native.load(name, OpenSlideLibrary.class);
            } catch (UnsatisfiedLinkError e) {
                failures.add(name + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
        }
        throw new UnsatisfiedLinkError("OpenSlide not found; install libopenslide0 or libopenslide1. Tried: "
                + String.join("; ", failures));
    }
}
