package org.nic.service.source;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.nic.source.SlideSources;

/**
 * Where a service may read slides from ({@code nic.sources.*}): the tiler, the encoder and the dashboard's viewer
 * read them by the same rules ({@link SlideSources}). Each service names its own cache folder in its
 * application.properties, so that two services on one machine never evict each other's files.
 */
public interface SourcesConfig {

    /** Folders under which {@code file:} slide URIs are allowed; none means no file: URIs. */
    Optional<List<Path>> allowedRoots();

    /** Buckets from which {@code s3://} slide URIs are allowed. */
    @WithDefault("slides")
    List<String> allowedBuckets();

    /** Local folder where slides fetched from object storage are cached (each service its own). */
    Path cacheDir();

    /** Bytes the cache may hold; least recently used slides are evicted first. */
    @WithDefault("21474836480")
    long cacheMaxBytes();

    /** These settings for {@link SlideSources}. */
    default SlideSources.Settings settings() {
        return new SlideSources.Settings(allowedRoots().orElse(List.of()), allowedBuckets(), cacheDir(), cacheMaxBytes());
    }
}
