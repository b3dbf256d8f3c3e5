package org.nic.dashboard.viewer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Recent tiles, least recently used dropped first once their bytes pass the budget; safe for concurrent viewers. */
final class TileCache {

    private final long maxBytes;
    private final LinkedHashMap<String, byte[]> tiles = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    TileCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The cached tile, or the one {@code make} makes (outside the lock: two viewers may make one tile at once). */
    byte[] get(String key, Supplier<byte[]> make) {
        synchronized (this) {
            byte[] cached = tiles.get(key);
            if (cached != null) {
                return cached;
            }
        }
        byte[] made = make.get();
        synchronized (this) {
            byte[] before = tiles.put(key, made);
            bytes += made.length - (before == null ? 0 : before.length);
            Iterator<Map.Entry<String, byte[]>> it = tiles.entrySet().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                bytes -= it.next().getValue().length;
                it.remove();
            }
        }
        return made;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return tiles.size();
    }
}
