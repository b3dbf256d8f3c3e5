package org.nic.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The bucket's key layout (docs/storage.md): every key is built from ids that cannot climb out of their prefix. */
class StorageLayoutTest {

    @Test
    void keysAsDocsStorageSays() {
        assertThat(StorageLayout.plan("s-1")).isEqualTo("tiling/s-1/plan.json");
        assertThat(StorageLayout.grid("s-1", "mtl-nic-v2")).isEqualTo("grids/s-1/mtl-nic-v2/");
        assertThat(StorageLayout.encoder("mtl-nic-v2")).isEqualTo("models/encoders/mtl-nic-v2/");
        assertThat(StorageLayout.head("growth-pattern", "v20261207-ab12cd34")).isEqualTo(
                "models/heads/growth-pattern/v20261207-ab12cd34/");
    }

    @Test
    void idsThatWouldLeaveTheirPrefixAreRefused() {
        for (String bad : new String[] {"../x", "a/b", "", ".hidden", "a..b", "x".repeat(129)}) {
            assertThatThrownBy(() -> StorageLayout.head(bad, "v1")).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> StorageLayout.head("task", bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> StorageLayout.grid(bad, "e")).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
