package org.nic.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The trainer uses the nic-training library, whose command (nic-train) brings its own console logger: the service
 * must see one SLF4J provider, Quarkus' (two make SLF4J warn at start and pick one by chance).
 */
class LoggingProvidersTest {

    @Test
    void oneSlf4jProviderQuarkusOwn() {
        var providers = ServiceLoader.load(SLF4JServiceProvider.class).stream().map(p -> p.type().getName()).toList();
        assertThat(providers).hasSize(1).allMatch(name -> name.startsWith("org.slf4j.impl.JBoss"), "Quarkus' provider");
    }
}
