package org.nic.dashboard.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A map that keeps its {@code capacity} most recently used entries (access order: a {@code get} counts as a use) and
 * hands each entry it evicts to {@code onEvict}, which closes what the value holds open: a slide's file, an ONNX
 * session. Not thread-safe, as {@link LinkedHashMap}: its owner synchronises.
 */
public final class LruMap<K, V> extends LinkedHashMap<K, V> {

    private final int capacity;
    private final transient Consumer<? super V> onEvict;

    /** A cache of plain values: nothing to close on eviction. */
    public LruMap(int capacity) {
        this(capacity, v -> { });
    }

    public LruMap(int capacity, Consumer<? super V> onEvict) {
        super(16, 0.75f, true);
        this.capacity = capacity;
        this.onEvict = onEvict;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() <= capacity) {
            return false;
        }
        onEvict.accept(eldest.getValue());
        return true;
    }
}
