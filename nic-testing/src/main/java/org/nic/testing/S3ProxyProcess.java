package org.nic.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * S3Proxy with its filesystem backend as a child process (its jar bundles unshaded libraries that would
 * clash with a test JVM's), on a fixed port and data folder, so that it can be killed and started again
 * with the objects it held: an object store outage.
 */
public final class S3ProxyProcess implements AutoCloseable {

    /** System property naming S3Proxy's jar-with-dependencies (the build copies it into target/). */
    public static final String JAR_PROPERTY = "nictest.s3proxy.jar";

    private final Path dir;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Path keystore;
    private final String keystorePassword;
    private Process process;

    private S3ProxyProcess(Path dir, int port, String accessKey, String secretKey, Path keystore, String keystorePassword) {
        this.dir = dir;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
    }

    /** Starts S3Proxy on a free port with its data under {@code dir}, and waits until it answers. */
    public static S3ProxyProcess start(Path dir, String accessKey, String secretKey) throws IOException {
        S3ProxyProcess s3 = new S3ProxyProcess(dir, LocalS3.freePort(), accessKey, secretKey, null, null);
        s3.start();
        return s3;
    }

    /** The same over HTTPS only, with the key and certificate of {@code keystore} (PKCS12): a store with a site's own CA. */
    public static S3ProxyProcess startTls(Path dir, String accessKey, String secretKey, Path keystore, String password)
            throws IOException {
        S3ProxyProcess s3 = new S3ProxyProcess(dir, LocalS3.freePort(), accessKey, secretKey, keystore, password);
        s3.start();
        return s3;
    }

    public String endpoint() {
        return (keystore == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** (Re)starts it on the same port and data folder and waits until it answers. */
    public synchronized void start() throws IOException {
        if (running()) {
            return;
        }
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Proxy jar not found (" + JAR_PROPERTY + "=" + jar
                    + "); build with Maven so that maven-dependency-plugin copies it");
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                keystore == null ? "s3proxy.endpoint=" + endpoint() : "s3proxy.secure-endpoint=" + endpoint(),
                keystore == null ? "" : "s3proxy.keystore-path=" + keystore,
                keystore == null ? "" : "s3proxy.keystore-password=" + keystorePassword,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data,
                ""));
        Path log = dir.resolve("s3proxy.log");
        process = new ProcessBuilder(List.of(ChildProcesses.java(), "-Xmx512m", "-jar", jar, "--properties", conf.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildProcesses.killAtExit(process);
        waitUntilUp(log, Duration.ofSeconds(60));
    }

    /** Kills it at once (SIGKILL): every request fails until {@link #start()}. */
    public synchronized void kill() {
        ChildProcesses.kill(process);
    }

    @Override
    public void close() {
        kill();
    }

    private void waitUntilUp(Path log, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            if (keystore != null) {
                // Over TLS the tests' JVM does not trust the certificate: a listening port is the answer.
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
                    return;
                } catch (IOException e) {
                    ChildProcesses.pause(200);
                    continue;
                }
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
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
            ChildProcesses.pause(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not answer within " + timeout + ":\n" + Files.readString(log));
    }
}
