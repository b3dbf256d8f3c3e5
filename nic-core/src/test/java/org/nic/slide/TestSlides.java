package org.nic.slide;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared test data lies (../shared/data, or -Dnictest.shared.data). */
public final class TestSlides {

    private TestSlides() {
    }

    public static Path data() {
        String configured = System.getProperty("nictest.shared.data");
        Path dir = configured != null ? Path.of(configured) : Path.of("../../shared/data");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("../shared/data");
        }
        return dir.toAbsolutePath().normalize();
    }

    public static Path slide(String name) {
        return data().resolve("slides").resolve(name);
    }

    public static Path cmu1() {
        return slide("CMU-1-Small-Region.svs");
    }
}
