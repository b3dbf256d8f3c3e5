package org.nic.slide;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Opens a slide with the provider that supports it best. */
public final class SlideReaders {

    private final List<SlideReaderProvider> providers;

    public SlideReaders(List<SlideReaderProvider> providers) {
        this.providers = List.copyOf(providers);
    }

    /** The providers registered in {@code META-INF/services/org.nic.slide.SlideReaderProvider}. */
    public static SlideReaders installed() {
        return new SlideReaders(ServiceLoader.load(SlideReaderProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    /**
     * Opens {@code path} (a file, or a folder holding one slide's files, e.g. a DICOM series) with the best-scoring
     * provider.
     *
     * @throws SlideException UNSUPPORTED_FORMAT when no provider recognises the file
     */
    public SlideReader open(Path path) {
        if (!Files.isRegularFile(path) && !Files.isDirectory(path)) {
            throw new SlideException(SlideException.Kind.OPEN_FAILED, path, "no such file");
        }
        record Scored(SlideReaderProvider provider, int score) { }
        return providers.stream()
                .map(p -> new Scored(p, p.supportScore(path)))
                .filter(s -> s.score() > 0)
                .max(Comparator.comparingInt(Scored::score))
                .map(s -> s.provider().open(path))
                .orElseThrow(() -> new SlideException(SlideException.Kind.UNSUPPORTED_FORMAT, path,
                        "no installed reader recognises this file (readers: "
                                + providers.stream().map(SlideReaderProvider::name).toList() + ")"));
    }
}
