package org.nic.slide;

import java.nio.file.Path;

/** Where the shared test data lies (../shared/data, or -Dnictest.shared.data). */
public final class TestSlides {

    private TestSlides() {
    }

    public static Path data() {
        return org.nic.data.SharedData.folder();
    }

    public static Path slide(String name) {
        return data().resolve("slides").resolve(name);
    }

    public static Path cmu1() {
        return slide("CMU-1-Small-Region.svs");
    }
}
