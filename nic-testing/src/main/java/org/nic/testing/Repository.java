package org.nic.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository the tests run in: where deploy/ is (a module's tests run in the module's folder). */
public final class Repository {

    private Repository() {
    }

    /** {@code nictest.repository} when set, else the nearest folder at or above the working one that holds deploy/k8s. */
    public static Path root() {
        String configured = System.getProperty("nictest.repository");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/k8s/base/users.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no deploy/k8s/base above " + Path.of("").toAbsolutePath() + " (set nictest.repository)");
    }
}
