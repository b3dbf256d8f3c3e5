package org.nic.service.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Object storage settings, the same for every service ({@code nic.storage.*}, {@code NIC_STORAGE_*}), so
 * one ConfigMap and one Secret serve them all.
 */
@ConfigMapping(prefix = "nic.storage")
public interface StorageConfig {

    /** S3 endpoint, e.g. {@code http://minio:9000}. */
    @WithDefault("http://127.0.0.1:9000")
    String endpoint();

    /** Access key; required, no default (deploy/local sets the local store's, Kubernetes a Secret's). */
    String accessKey();

    /** Secret key; required, no default. */
    String secretKey();

    /** Region the client signs for. */
    @WithDefault("us-east-1")
    String region();

    /** NIC's bucket, created at start when missing. */
    @WithDefault("nic")
    String bucket();

    /**
     * PEM certificates of the authority the store's TLS certificate is signed by, for a store with a site's own CA
     * ({@code NIC_STORAGE_CA_FILE}); none: the JVM's default trust.
     */
    java.util.Optional<java.nio.file.Path> caFile();

    /** Whether to create the bucket at start when it is missing; false for read-only services (the dashboard). */
    @WithDefault("true")
    boolean createBucket();
}
