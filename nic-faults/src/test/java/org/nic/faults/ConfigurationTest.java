package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nic.testing.ServiceProcess;

/** A service with a mistyped setting does not start on defaults: it stops at once, naming the key. */
class ConfigurationTest {

    @Test
    void aMistypedNicKeyStopsTheStartWithItsName() {
        // The broker and store addresses need not answer: the configuration is checked before anything connects.
        ServiceProcess.Infrastructure nowhere = new ServiceProcess.Infrastructure("127.0.0.1:9", "http://127.0.0.1:9",
                "key", "secret", "nic");
        assertThatThrownBy(() -> ServiceProcess.start("tiler-service", nowhere, Map.of("nic.tiling.taget-spacing", "0.25"),
                Duration.ofSeconds(60)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tiler-service exited")
                .hasMessageContaining("nic.tiling.taget-spacing");
    }
}
