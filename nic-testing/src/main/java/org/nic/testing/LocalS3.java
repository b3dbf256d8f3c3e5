package org.nic.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * S3Proxy with its filesystem backend, run as a child process (its jar bundles unshaded libraries that
 * would clash with the test JVM's). Started once per JVM and killed at exit.
 */
final class LocalS3 {

    /** System property naming S3Proxy's jar-with-dependencies (the build copies it into target/). */
    static final String JAR_PROPERTY = "nic.test.s3proxy.jar";
    static final String ACCESS_KEY = "nic-test";
    static final String SECRET_KEY = "nic-test-secret";

    private static final Logger LOG = Logger.getLogger(LocalS3.class);
    private static String endpoint;

    private LocalS3() {
    }

    static synchronized String endpoint() {
        if (endpoint == null) {
            endpoint = start();
        }
        return endpoint;
    }

    private static String start() {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Proxy jar not found (" + JAR_PROPERTY + "=" + jar
                    + "); build with Maven so that maven-dependency-plugin copies it");
        }
        try {
            long t0 = System.nanoTime();
            Path dir = Files.createTempDirectory("nic-test-s3");
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = freePort();
            String url = "http://127.0.0.1:" + port;
            Path conf = dir.resolve("s3proxy.conf");
            Files.writeString(conf, String.join("\n",
                    "s3proxy.endpoint=" + url,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data,
                    ""));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx512m", "-jar", jar,
                    "--properties", conf.toString()));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3proxy.log").toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "nic-test-s3-stop"));
            waitUntilUp(url, process, dir.resolve("s3proxy.log"), Duration.ofSeconds(60));
            LOG.infof("test S3 (S3Proxy, pid %d) at %s, data in %s, started in %d ms", process.pid(), url, data,
                    (System.nanoTime() - t0) / 1_000_000);
            return url;
        } catch (IOException e) {
            throw new IllegalStateException("could not start S3Proxy", e);
        }
    }

    private static void waitUntilUp(String url, Process process, Path log, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url + "/").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(1000);
                int code = c.getResponseCode(); // any HTTP answer (403 without credentials) means it serves
                c.disconnect();
                if (code > 0) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not answer within " + timeout + ":\n" + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
