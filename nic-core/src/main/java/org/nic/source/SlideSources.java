package org.nic.source;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nic.event.StageFailure;
import org.nic.event.FailureReason;
import org.nic.slide.SlideIdentity;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;

/**
 * Turns a slide URI into a local file: {@code file:} paths under the allowed roots as they are, and
 * {@code s3://} objects in the allowed buckets through a bounded local {@link SlideCache}.
 */
public final class SlideSources {

    /**
     * Where slides may come from.
     *
     * @param allowedRoots folders {@code file:} URIs may point into (none: no file: URIs)
     * @param allowedBuckets buckets {@code s3://} URIs may point into
     * @param cacheDir local folder for slides fetched from object storage
     * @param cacheMaxBytes bytes the cache may hold
     */
    public record Settings(List<Path> allowedRoots, List<String> allowedBuckets, Path cacheDir, long cacheMaxBytes) { }

    private final Settings sources;
    private final ObjectStore store;
    private final SlideCache cache;
    private final List<Path> roots;

    public SlideSources(Settings settings, ObjectStore store) {
        this.sources = settings;
        this.store = store;
        this.cache = new SlideCache(settings.cacheDir(), settings.cacheMaxBytes());
        this.roots = settings.allowedRoots().stream().map(SlideSources::real).toList();
    }

    /**
     * @throws StageFailure with the reason a pipeline reports (not allowed, not found, too large,
     *     storage unavailable, invalid URI)
     */
    public LocatedSlide locate(String uri) throws StageFailure {
        if (S3Uri.isS3(uri)) {
            return fromStore(uri);
        }
        if (uri != null && uri.startsWith("file:")) {
            return fromFile(uri);
        }
        throw new StageFailure(FailureReason.INVALID_EVENT, "unsupported URI scheme: " + uri);
    }

    private LocatedSlide fromFile(String uri) throws StageFailure {
        Path path;
        try {
            path = Path.of(URI.create(uri)).normalize();
        } catch (IllegalArgumentException e) {
            throw new StageFailure(FailureReason.INVALID_EVENT, "bad file URI " + uri + ": " + e.getMessage());
        }
        // Compare real paths so that neither '..' nor a symbolic link escapes the allowed roots.
        Path real = real(path);
        if (roots.stream().noneMatch(real::startsWith)) {
            // The roots are configuration: an operator reads them in the service's settings, not in a message.
            throw new StageFailure(FailureReason.URI_NOT_ALLOWED, uri + " is not under an allowed root "
                    + (roots.isEmpty() ? "(no file: roots are configured)" : "(nic.sources.allowed-roots)"));
        }
        // A folder is one slide's files (a DICOM series); the readers decide whether they make a slide.
        if (!Files.isRegularFile(real) && !Files.isDirectory(real)) {
            throw new StageFailure(FailureReason.SLIDE_NOT_FOUND, "no slide file at " + uri);
        }
        try {
            return new LocatedSlide(real, SlideIdentity.of(real, null));
        } catch (IOException e) {
            throw new StageFailure(FailureReason.SLIDE_NOT_FOUND, "cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    private LocatedSlide fromStore(String uri) throws StageFailure {
        S3Uri s3;
        try {
            s3 = S3Uri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new StageFailure(FailureReason.INVALID_EVENT, e.getMessage());
        }
        if (!sources.allowedBuckets().contains(s3.bucket())) {
            throw new StageFailure(FailureReason.URI_NOT_ALLOWED, "its bucket is not an allowed slide bucket"
                    + " (nic.sources.allowed-buckets)");
        }
        if (s3.key().isEmpty() || s3.key().endsWith("/")) {
            return folderFromStore(uri, s3);
        }
        try {
            ObjectStore.ObjectInfo main = store.stat(s3).orElseThrow(() ->
                    new StageFailure(FailureReason.SLIDE_NOT_FOUND, "no object at " + uri));
            Path local = cache.fetch(store, s3, main, companionFiles(s3));
            return new LocatedSlide(local, SlideIdentity.of(local, main.etag()));
        } catch (StorageException e) {
            if (e.notFound()) {
                throw new StageFailure(FailureReason.SLIDE_NOT_FOUND, "no object at " + uri + ": " + e.getMessage(), e);
            }
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
        } catch (SlideCache.TooLargeException e) {
            throw new StageFailure(FailureReason.SLIDE_TOO_LARGE, e.getMessage(), e);
        } catch (IOException e) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, "cannot cache " + uri + ": " + e.getMessage(), e);
        }
    }

    /** A slide stored as the objects directly under a prefix (a DICOM series uploaded as one folder). */
    private LocatedSlide folderFromStore(String uri, S3Uri prefix) throws StageFailure {
        try {
            List<ObjectStore.ObjectInfo> objects = store.list(prefix.bucket(), prefix.key()).stream()
                    .filter(o -> o.key().length() > prefix.key().length() && o.key().indexOf('/', prefix.key().length()) < 0)
                    .sorted(java.util.Comparator.comparing(ObjectStore.ObjectInfo::key)).toList();
            if (objects.isEmpty()) {
                throw new StageFailure(FailureReason.SLIDE_NOT_FOUND, "no objects under " + uri);
            }
            String etag = org.nic.hash.Sha256.hex(objects.stream().map(o -> o.key() + "=" + o.etag())
                    .collect(java.util.stream.Collectors.joining("\n")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Path local = cache.fetchFolder(store, prefix, objects, etag);
            return new LocatedSlide(local, SlideIdentity.of(local, etag));
        } catch (StorageException e) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
        } catch (SlideCache.TooLargeException e) {
            throw new StageFailure(FailureReason.SLIDE_TOO_LARGE, e.getMessage(), e);
        } catch (IOException e) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, "cannot cache " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Multi-file formats: an MRXS slide's data files sit in a folder named after it, beside it. */
    private List<ObjectStore.ObjectInfo> companionFiles(S3Uri s3) {
        String key = s3.key();
        if (!key.toLowerCase(java.util.Locale.ROOT).endsWith(".mrxs")) {
            return List.of();
        }
        String prefix = key.substring(0, key.length() - ".mrxs".length()) + "/";
        return store.list(s3.bucket(), prefix);
    }

    /** The real path; for a missing file, the real path of its nearest existing folder plus the rest. */
    private static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            return absolute;
        }
    }
}
