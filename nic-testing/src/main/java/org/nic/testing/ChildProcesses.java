package org.nic.testing;

import java.nio.file.Path;

/** What the child processes of tests share: the java to run them with, and their end with the test JVM. */
final class ChildProcesses {

    private ChildProcesses() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The child is killed when the JVM that started it exits, however the tests end. */
    static void killAtExit(Process process) {
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "nic-test-child-stop"));
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
