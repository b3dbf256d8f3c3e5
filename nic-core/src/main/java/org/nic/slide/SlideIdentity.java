package org.nic.slide;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.nic.hash.Sha256;

/**
 * What identifies the bytes of a slide, so a later stage can tell whether the slide changed since it
 * was planned: the object's ETag when it came from object storage, its size, and the SHA-256 of its
 * first bytes. Nothing time-dependent: the same bytes give the same identity (and so the same plan),
 * however often they are uploaded or touched.
 *
 * @param etag object ETag, null for a local file
 * @param size bytes of the main slide file
 * @param headSha256 hex SHA-256 of the first {@code headBytes} bytes
 * @param headBytes how many leading bytes were hashed
 */
@JsonIgnoreProperties(ignoreUnknown = true) // plans of format 1 also held a modification time
public record SlideIdentity(String etag, long size, String headSha256, long headBytes) {

    /** Bytes hashed from the start of the file. */
    public static final int HEAD_BYTES = 1 << 20;

    /** Identity of a local file, with an optional ETag from the store it was fetched from. */
    public static SlideIdentity of(Path file, String etag) throws IOException {
        if (Files.isDirectory(file)) {
            return ofFolder(file, etag);
        }
        long size = Files.size(file);
        MessageDigest sha = sha256();
        long read = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while (read < HEAD_BYTES && (n = in.read(buffer, 0, (int) Math.min(buffer.length, HEAD_BYTES - read))) > 0) {
                sha.update(buffer, 0, n);
                read += n;
            }
        }
        return new SlideIdentity(etag, size, HexFormat.of().formatHex(sha.digest()), read);
    }

    /**
     * Identity of a folder holding one slide's files (a DICOM series): their total size, and the SHA-256 of each
     * file's name, size and first bytes, in name order.
     */
    static SlideIdentity ofFolder(Path folder, String etag) throws IOException {
        List<Path> files;
        try (java.util.stream.Stream<Path> list = Files.list(folder)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest sha = sha256();
        long size = 0;
        long read = 0;
        for (Path f : files) {
            SlideIdentity one = of(f, null);
            size += one.size();
            read += one.headBytes();
            sha.update((f.getFileName() + "\n" + one.size() + "\n" + one.headSha256() + "\n").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return new SlideIdentity(etag, size, HexFormat.of().formatHex(sha.digest()), read);
    }

    /** Whether two identities describe the same bytes (the ETag only counts when both have one). */
    public boolean sameSlideAs(SlideIdentity other) {
        if (etag != null && other.etag != null && !etag.equals(other.etag)) {
            return false;
        }
        return size == other.size && headSha256.equals(other.headSha256);
    }

    private static MessageDigest sha256() {
        return Sha256.digest();
    }
}
