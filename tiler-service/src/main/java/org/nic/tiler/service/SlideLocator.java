package org.nic.tiler.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nic.event.FailureReason;
import org.nic.slide.SlideIdentity;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;
import org.nic.tiler.config.TilerConfig;

/**
 * Turns a slide URI into a local file: {@code file:} paths under the allowed roots as they are, and
 * {@code s3://} objects in the allowed buckets through the {@link SlideCache}.
 */
@ApplicationScoped
public class SlideLocator {

    private final TilerConfig.Sources sources;
    private final ObjectStore store;
    private final SlideCache cache;
    private final List<Path> roots;

    public SlideLocator(TilerConfig config, ObjectStore store) {
        this.sources = config.sources();
        this.store = store;
        this.cache = new SlideCache(sources.cacheDir(), sources.cacheMaxBytes());
        this.roots = sources.allowedRoots().orElse(List.of()).stream().map(SlideLocator::real).toList();
    }

    public LocatedSlide locate(String uri) throws TilingFailure {
        if (S3Uri.isS3(uri)) {
            return fromStore(uri);
        }
        if (uri != null && uri.startsWith("file:")) {
            return fromFile(uri);
        }
        throw new TilingFailure(FailureReason.INVALID_EVENT, "unsupported URI scheme: " + uri);
    }

    private LocatedSlide fromFile(String uri) throws TilingFailure {
        Path path;
        try {
            path = Path.of(URI.create(uri)).normalize();
        } catch (IllegalArgumentException e) {
            throw new TilingFailure(FailureReason.INVALID_EVENT, "bad file URI " + uri + ": " + e.getMessage());
        }
        // Compare real paths so that neither '..' nor a symbolic link escapes the allowed roots.
        Path real = real(path);
        if (roots.stream().noneMatch(real::startsWith)) {
            throw new TilingFailure(FailureReason.URI_NOT_ALLOWED, uri + " is not under an allowed root "
                    + (roots.isEmpty() ? "(no file: roots are configured)" : roots.toString()));
        }
        if (!Files.isRegularFile(real)) {
            throw new TilingFailure(FailureReason.SLIDE_NOT_FOUND, "no slide file at " + uri);
        }
        try {
            return new LocatedSlide(real, SlideIdentity.of(real, null, null));
        } catch (IOException e) {
            throw new TilingFailure(FailureReason.SLIDE_NOT_FOUND, "cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    private LocatedSlide fromStore(String uri) throws TilingFailure {
        S3Uri s3;
        try {
            s3 = S3Uri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new TilingFailure(FailureReason.INVALID_EVENT, e.getMessage());
        }
        if (!sources.allowedBuckets().contains(s3.bucket())) {
            throw new TilingFailure(FailureReason.URI_NOT_ALLOWED, "bucket " + s3.bucket()
                    + " is not an allowed slide bucket " + sources.allowedBuckets());
        }
        try {
            ObjectStore.ObjectInfo main = store.stat(s3).orElseThrow(() ->
                    new TilingFailure(FailureReason.SLIDE_NOT_FOUND, "no object at " + uri));
            Path local = cache.fetch(store, s3, main, companionFiles(s3));
            return new LocatedSlide(local, SlideIdentity.of(local, main.etag(), main.lastModified()));
        } catch (StorageException e) {
            if (e.notFound()) {
                throw new TilingFailure(FailureReason.SLIDE_NOT_FOUND, "no object at " + uri + ": " + e.getMessage(), e);
            }
            throw new TilingFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
        } catch (SlideCache.TooLargeException e) {
            throw new TilingFailure(FailureReason.SLIDE_TOO_LARGE, e.getMessage(), e);
        } catch (IOException e) {
            throw new TilingFailure(FailureReason.STORAGE_UNAVAILABLE, "cannot cache " + uri + ": " + e.getMessage(), e);
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
