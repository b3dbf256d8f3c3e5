package org.nic.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nic.cli.KafkaTls;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageException;

/**
 * Object storage over TLS with a site's own CA, by configuration ({@code nic.storage.ca-file}): S3Proxy serving HTTPS
 * only, with a certificate signed by a CA made here; the store's client trusts that CA and works, the JVM's default
 * trust and another CA do not.
 */
class StoreTlsTest {

    @TempDir
    Path dir;

    @Test
    void aStoreWithTheSitesCaWorksAndAnyOtherTrustIsRefused() throws Exception {
        KafkaTls.Material site = KafkaTls.generate(dir.resolve("site-ca"), "Site CA");
        Path otherCa = KafkaTls.generate(dir.resolve("other-ca"), "Another CA").caCertificate();
        try (S3ProxyProcess s3 = S3ProxyProcess.startTls(Files.createDirectories(dir.resolve("s3")), "tls-user", "tls-secret",
                site.keystore(), site.keystorePassword())) {
            assertThat(s3.endpoint()).startsWith("https://");
            try (ObjectStore store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), "tls-user", "tls-secret", "us-east-1",
                    "tls-bucket", site.caCertificate()))) {
                store.ensureBucket();
                store.put("a/b.txt", "over TLS".getBytes(StandardCharsets.UTF_8), "text/plain");
                assertThat(new String(store.get(store.uri("a/b.txt")), StandardCharsets.UTF_8)).isEqualTo("over TLS");
            }
            for (Path trust : new Path[] {null, otherCa}) {
                try (ObjectStore store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), "tls-user", "tls-secret",
                        "us-east-1", "tls-bucket", trust))) {
                    assertThatThrownBy(() -> store.get(store.uri("a/b.txt"))).as("trusting %s", trust)
                            .isInstanceOf(StorageException.class)
                            .satisfies(e -> assertThat(stackTrace(e)).containsIgnoringCase("certificat"));
                }
            }
        }
    }

    static String stackTrace(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
