package org.nic.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.nic.hash.Sha256;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;

/**
 * A bounded local cache of slides fetched from object storage, one folder per (object, ETag), so a
 * changed object is fetched again. Least recently used entries are evicted to stay under the bound.
 * A folder is complete once its {@code .complete} marker exists.
 */
final class SlideCache {

    private static final Logger LOG = Logger.getLogger(SlideCache.class);
    private static final String COMPLETE = ".complete";

    /** The slide alone is larger than the whole cache. */
    static final class TooLargeException extends Exception {
        TooLargeException(String message) {
            super(message);
        }
    }

    private final Path root;
    private final long maxBytes;

    SlideCache(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /** The local path of the slide, fetched (with its companion files) unless already cached. */
    synchronized Path fetch(ObjectStore store, S3Uri main, ObjectStore.ObjectInfo info,
                            List<ObjectStore.ObjectInfo> companions) throws IOException, TooLargeException {
        String fileName = Path.of(main.key()).getFileName().toString();
        long need = info.size() + companions.stream().mapToLong(ObjectStore.ObjectInfo::size).sum();
        return cached(main, info.etag(), need, fileName, entry -> {
            store.download(main, entry.resolve(fileName));
            String folderPrefix = main.key().substring(0, main.key().length() - fileName.length());
            for (ObjectStore.ObjectInfo companion : companions) {
                downloadUnder(store, companion, entry, folderPrefix);
            }
        });
    }

    /**
     * The local folder of a slide stored as several objects under one prefix (a DICOM series), fetched unless
     * already cached; {@code objects} are the prefix's direct children.
     */
    synchronized Path fetchFolder(ObjectStore store, S3Uri prefix, List<ObjectStore.ObjectInfo> objects, String etag)
            throws IOException, TooLargeException {
        long need = objects.stream().mapToLong(ObjectStore.ObjectInfo::size).sum();
        return cached(prefix, etag, need, "series", entry -> {
            for (ObjectStore.ObjectInfo o : objects) {
                downloadUnder(store, o, entry.resolve("series"), prefix.key());
            }
        });
    }

    /** What fills a new cache entry. */
    @FunctionalInterface
    private interface Fill {
        void into(Path entry) throws IOException;
    }

    /**
     * {@code entry/name} of the cache entry for {@code source} at {@code etag}: as cached (its use recorded), or
     * filled afresh after making room for {@code need} bytes; complete only once filled.
     */
    private Path cached(S3Uri source, String etag, long need, String name, Fill fill) throws IOException, TooLargeException {
        Path entry = root.resolve(digest(source + "#" + etag));
        if (Files.exists(entry.resolve(COMPLETE))) {
            Files.setLastModifiedTime(entry.resolve(COMPLETE), FileTime.from(Instant.now()));
            return entry.resolve(name);
        }
        if (need > maxBytes) {
            throw new TooLargeException(source + " needs " + need + " bytes, more than the slide cache's " + maxBytes);
        }
        evictFor(need);
        deleteTree(entry);
        Files.createDirectories(entry);
        fill.into(entry);
        Files.writeString(entry.resolve(COMPLETE), source.toString(), StandardCharsets.UTF_8);
        return entry.resolve(name);
    }

    /** Downloads {@code object} to its key below {@code prefixKey}, placed under {@code base}, which it must not leave. */
    private static void downloadUnder(ObjectStore store, ObjectStore.ObjectInfo object, Path base, String prefixKey)
            throws IOException {
        Path target = base.resolve(object.key().substring(prefixKey.length())).normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new IOException("object escapes the cache folder: " + object.key());
        }
        store.download(new S3Uri(object.bucket(), object.key()), target);
    }

    private void evictFor(long need) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        record Entry(Path dir, long bytes, FileTime used) { }
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                Path marker = dir.resolve(COMPLETE);
                FileTime used = Files.exists(marker) ? Files.getLastModifiedTime(marker) : FileTime.fromMillis(0);
                entries.add(new Entry(dir, size(dir), used));
            }
        }
        long total = entries.stream().mapToLong(Entry::bytes).sum();
        entries.sort(Comparator.comparing(Entry::used));
        for (Entry e : entries) {
            if (total + need <= maxBytes) {
                break;
            }
            LOG.infof("slide cache: evicting %s (%d bytes)", e.dir().getFileName(), e.bytes());
            deleteTree(e.dir());
            total -= e.bytes();
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String digest(String s) {
        return Sha256.hex(s).substring(0, 32);
    }
}
