package org.nic.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared data folder beside the repository ({@code ../shared/data}: the real slides, patches and the paper's
 * encoders that tests, benchmarks and the training commands read): the system property {@code nictest.shared.data}
 * when set, else {@code ../../shared/data} as seen from a module's folder, else {@code ../shared/data} from the
 * repository root. The one place this lookup lives.
 */
public final class SharedData {

    /** The system property that points elsewhere. */
    public static final String PROPERTY = "nictest.shared.data";

    private SharedData() {
    }

    /** The folder, absolute (it need not exist: callers that read from it say what is missing). */
    public static Path folder() {
        String configured = System.getProperty(PROPERTY);
        Path dir = configured != null ? Path.of(configured) : Path.of("../../shared/data");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("../shared/data");
        }
        return dir.toAbsolutePath().normalize();
    }
}
