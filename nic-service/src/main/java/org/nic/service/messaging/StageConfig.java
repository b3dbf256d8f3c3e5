package org.nic.service.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** How every slide stage treats a record that kills its JVM ({@code nic.stage.*}; {@link SlideStage}, {@link AttemptLedger}). */
@ConfigMapping(prefix = "nic.stage")
public interface StageConfig {

    /** Starts of a slide's work that may end with the JVM dead before the slide fails for good (CRASHED_REPEATEDLY). */
    @WithDefault("3")
    int maxCrashes();

    /** Test-only fault switch, never set outside tests: the JVM halts in the work on a slide whose id starts so. */
    Optional<String> testHaltOnSlidePrefix();
}
