package org.nic.storage;

import io.minio.BucketExistsArgs;
import io.minio.DownloadObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NIC's only door to object storage (S3 API: MinIO in production, S3Proxy in tests), over the MinIO
 * client. Close it when done: the client holds an HTTP connection pool.
 */
public final class ObjectStore implements AutoCloseable {

    /**
     * Where the store is.
     *
     * @param endpoint e.g. {@code http://127.0.0.1:9000}
     * @param accessKey access key
     * @param secretKey secret key
     * @param region region the client signs for
     * @param bucket NIC's bucket
     * @param caFile PEM certificates of the authority the store's TLS certificate is signed by (a site's own CA), or
     *     null for the JVM's default trust (and for plain HTTP)
     */
    public record Settings(String endpoint, String accessKey, String secretKey, String region, String bucket, Path caFile) {

        /** The JVM's default trust. */
        public Settings(String endpoint, String accessKey, String secretKey, String region, String bucket) {
            this(endpoint, accessKey, secretKey, region, bucket, null);
        }
    }

    /** What a stat of an object tells. */
    public record ObjectInfo(String bucket, String key, long size, String etag, Instant lastModified) { }

    private final MinioClient client;
    private final String bucket;
    private final String endpoint;

    public ObjectStore(Settings settings) {
        MinioClient.Builder builder = MinioClient.builder()
                .endpoint(settings.endpoint())
                .credentials(settings.accessKey(), settings.secretKey())
                .region(settings.region());
        if (settings.caFile() != null) {
            builder.httpClient(trusting(settings.caFile()));
        }
        this.client = builder.build();
        this.bucket = settings.bucket();
        this.endpoint = settings.endpoint();
    }

    /** An HTTP client that trusts the certificates of {@code caFile} (PEM) alone, for a store with a site's own CA. */
    static okhttp3.OkHttpClient trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in the store's CA file " + caFile.getFileName());
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.X509TrustManager tm = (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
            return new okhttp3.OkHttpClient.Builder().sslSocketFactory(tls.getSocketFactory(), tm)
                    .connectTimeout(java.time.Duration.ofMinutes(1)).writeTimeout(java.time.Duration.ofMinutes(5))
                    .readTimeout(java.time.Duration.ofMinutes(5)).build();
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the store's CA file " + caFile.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** NIC's bucket. */
    public String bucket() {
        return bucket;
    }

    /** {@code s3://} URI of a key in NIC's bucket. */
    public S3Uri uri(String key) {
        return new S3Uri(bucket, key);
    }

    /** Creates NIC's bucket if it is missing. */
    public void ensureBucket() {
        ensureBucket(bucket);
    }

    public void ensureBucket(String name) {
        call("create bucket " + name, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(name).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(name).build());
                } catch (ErrorResponseException e) {
                    if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())
                            && !"BucketAlreadyExists".equals(e.errorResponse().code())) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /** Whether the store answers and NIC's bucket exists. */
    public boolean isReachable() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception e) {
            return false;
        }
    }

    /** Writes an object in NIC's bucket; the S3 PUT makes it visible whole or not at all. */
    public S3Uri put(String key, byte[] data, String contentType) {
        return put(new S3Uri(bucket, key), data, contentType);
    }

    public S3Uri put(S3Uri uri, byte[] data, String contentType) {
        call("write " + uri, () -> client.putObject(PutObjectArgs.builder()
                .bucket(uri.bucket()).object(uri.key())
                .stream(new ByteArrayInputStream(data), (long) data.length, -1L)
                .contentType(contentType)
                .build()));
        return uri;
    }

    /** Uploads a local file. */
    public S3Uri putFile(S3Uri uri, Path file, String contentType) {
        call("upload " + file + " to " + uri, () -> {
            try (InputStream in = Files.newInputStream(file)) {
                return client.putObject(PutObjectArgs.builder()
                        .bucket(uri.bucket()).object(uri.key())
                        .stream(in, Files.size(file), -1L)
                        .contentType(contentType)
                        .build());
            }
        });
        return uri;
    }

    /** Reads a whole (small) object. */
    public byte[] get(S3Uri uri) {
        return call("read " + uri, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(uri.bucket()).object(uri.key()).build())) {
                return in.readAllBytes();
            }
        });
    }

    /**
     * Reads a whole object of at most {@code maxBytes}, for objects whose writer is not trusted to keep them small
     * (a head, its card): a larger one is read no further than the limit.
     *
     * @throws ObjectTooLargeException when it is larger
     */
    public byte[] get(S3Uri uri, int maxBytes) {
        return call("read " + uri, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(uri.bucket()).object(uri.key()).build())) {
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw new ObjectTooLargeException(uri.key().substring(uri.key().lastIndexOf('/') + 1)
                            + " is larger than the " + maxBytes + " bytes read of it");
                }
                return bytes;
            }
        });
    }

    /** Size, ETag and time of an object, or empty when it does not exist. */
    public Optional<ObjectInfo> stat(S3Uri uri) {
        try {
            return Optional.of(call("stat " + uri, () -> {
                StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(uri.bucket()).object(uri.key()).build());
                return new ObjectInfo(uri.bucket(), uri.key(), r.size(), stripQuotes(r.etag()),
                        r.lastModified() == null ? null : r.lastModified().toInstant());
            }));
        } catch (StorageException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Keys under a prefix, recursively. */
    public List<ObjectInfo> list(String bucketName, String prefix) {
        return call("list s3://" + bucketName + "/" + prefix, () -> {
            List<ObjectInfo> items = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucketName).prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir()) {
                    items.add(new ObjectInfo(bucketName, item.objectName(), item.size(), stripQuotes(item.etag()),
                            item.lastModified() == null ? null : item.lastModified().toInstant()));
                }
            }
            return items;
        });
    }

    /** Deletes an object; a missing one is not an error. */
    public void delete(S3Uri uri) {
        call("delete " + uri, () -> {
            client.removeObject(io.minio.RemoveObjectArgs.builder().bucket(uri.bucket()).object(uri.key()).build());
            return null;
        });
    }

    /** Deletes every object under a prefix of NIC's bucket; returns how many. */
    public int deletePrefix(String prefix) {
        List<ObjectInfo> items = list(bucket, prefix);
        for (ObjectInfo item : items) {
            delete(new S3Uri(bucket, item.key()));
        }
        return items.size();
    }

    /** Whether an object exists. */
    public boolean exists(S3Uri uri) {
        return stat(uri).isPresent();
    }

    /** Downloads an object to a file, atomically: the file appears whole or not at all. */
    public void download(S3Uri uri, Path target) {
        call("download " + uri, () -> {
            Files.createDirectories(target.getParent());
            Path partial = target.resolveSibling(target.getFileName() + ".part");
            Files.deleteIfExists(partial);
            client.downloadObject(DownloadObjectArgs.builder()
                    .bucket(uri.bucket()).object(uri.key()).filename(partial.toString()).overwrite(true).build());
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        });
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // Nothing left to do: the pool's threads are daemons.
        }
    }

    @Override
    public String toString() {
        return endpoint + "/" + bucket;
    }

    private static String stripQuotes(String etag) {
        return etag == null ? null : etag.replace("\"", "");
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, StoreCall<T> call) {
        try {
            return call.run();
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            boolean notFound = "NoSuchKey".equals(code) || "NoSuchBucket".equals(code) || "NoSuchObject".equals(code);
            throw new StorageException(what + " failed: " + code + " " + e.errorResponse().message(), notFound, e);
        } catch (StorageException | ObjectTooLargeException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException(what + " failed: " + e, false, e);
        }
    }
}
