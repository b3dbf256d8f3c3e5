package org.nic.testing;

import java.nio.file.Path;

/** What the child processes of tests share: the java to run them with, their kill, and their end with the test JVM. */
public final class ChildProcesses {

    private ChildProcesses() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The child (and what it started: a script's JVM) is killed when the JVM that started it exits, however the tests end. */
    static void killAtExit(Process process) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, "nic-test-child-stop"));
    }

    /** Kills the process at once (SIGKILL, as {@code kill -9}) and waits for it to be gone. */
    static void kill(Process process) {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps, turning an interruption into an exception (the interrupt flag kept). */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
