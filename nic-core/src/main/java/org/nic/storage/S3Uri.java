package org.nic.storage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An {@code s3://bucket/key} address. */
public record S3Uri(String bucket, String key) {

    private static final Pattern FORM = Pattern.compile("^s3://([a-z0-9][a-z0-9.-]{1,62})/(.+)$");

    public S3Uri {
        if (bucket == null || bucket.isBlank() || key == null || key.isBlank()) {
            throw new IllegalArgumentException("bucket and key are required");
        }
    }

    public static boolean isS3(String uri) {
        return uri != null && uri.startsWith("s3://");
    }

    /** @throws IllegalArgumentException when {@code uri} is not {@code s3://bucket/key} */
    public static S3Uri parse(String uri) {
        Matcher m = FORM.matcher(uri == null ? "" : uri);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an s3://bucket/key URI: " + uri);
        }
        return new S3Uri(m.group(1), m.group(2));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
