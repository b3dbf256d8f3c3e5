package org.nic.dashboard.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LruMapTest {

    @Test
    void evictsTheLeastRecentlyUsedAndHandsItOver() {
        List<String> closed = new ArrayList<>();
        LruMap<String, String> map = new LruMap<>(2, closed::add);
        map.put("a", "slide a");
        map.put("b", "slide b");
        map.get("a"); // a is now more recent than b
        map.put("c", "slide c");

        assertThat(map).containsOnlyKeys("a", "c");
        assertThat(closed).containsExactly("slide b");
    }

    @Test
    void replacingAValueUnderItsKeyEvictsNothing() {
        List<String> closed = new ArrayList<>();
        LruMap<String, String> map = new LruMap<>(2, closed::add);
        map.put("a", "one");
        map.put("b", "two");
        map.put("a", "three");

        assertThat(map).containsOnlyKeys("a", "b").containsEntry("a", "three");
        assertThat(closed).isEmpty();
    }

    @Test
    void aPlainCacheKeepsItsCapacity() {
        LruMap<Integer, Integer> map = new LruMap<>(3);
        for (int i = 0; i < 10; i++) {
            map.put(i, i * i);
        }
        assertThat(map).containsOnlyKeys(7, 8, 9);
    }
}
