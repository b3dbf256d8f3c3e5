package org.nic.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.jboss.logging.Logger;

/** The tests' object store: one {@link S3ProxyProcess} per JVM, killed at exit. */
final class LocalS3 {

    static final String ACCESS_KEY = "nic-test";
    static final String SECRET_KEY = "nic-test-secret";

    private static final Logger LOG = Logger.getLogger(LocalS3.class);
    private static String endpoint;

    private LocalS3() {
    }

    static synchronized String endpoint() {
        if (endpoint == null) {
            try {
                long t0 = System.nanoTime();
                S3ProxyProcess s3 = S3ProxyProcess.start(Files.createTempDirectory("nic-test-s3"), ACCESS_KEY, SECRET_KEY);
                endpoint = s3.endpoint();
                LOG.infof("test S3 (S3Proxy, pid %d) at %s, started in %d ms", s3.pid(), endpoint,
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (IOException e) {
                throw new IllegalStateException("could not start S3Proxy", e);
            }
        }
        return endpoint;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
