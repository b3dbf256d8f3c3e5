package org.nic.slide;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;

/** Wraps a reader and counts the pixels read from each level, to prove what planning touches. */
public final class RecordingSlideReader implements SlideReader {

    private final SlideReader delegate;
    private final AtomicLongArray pixelsRead;

    public RecordingSlideReader(SlideReader delegate) {
        this.delegate = delegate;
        this.pixelsRead = new AtomicLongArray(delegate.levelCount());
    }

    public long pixelsRead(int level) {
        return pixelsRead.get(level);
    }

    @Override
    public void readRegion(long x, long y, int level, int width, int height, int[] dest) {
        pixelsRead.addAndGet(level, (long) width * height);
        delegate.readRegion(x, y, level, width, height, dest);
    }

    @Override
    public Path path() {
        return delegate.path();
    }

    @Override
    public String readerName() {
        return delegate.readerName();
    }

    @Override
    public String vendor() {
        return delegate.vendor();
    }

    @Override
    public Map<String, String> properties() {
        return delegate.properties();
    }

    @Override
    public int levelCount() {
        return delegate.levelCount();
    }

    @Override
    public LevelDimensions levelDimensions(int level) {
        return delegate.levelDimensions(level);
    }

    @Override
    public double levelDownsample(int level) {
        return delegate.levelDownsample(level);
    }

    @Override
    public Set<String> associatedImageNames() {
        return delegate.associatedImageNames();
    }

    @Override
    public BufferedImage readAssociatedImage(String name) {
        return delegate.readAssociatedImage(name);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
