package org.nic.service.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * How every slide stage treats a record that kills its JVM or hangs ({@code nic.stage.*}; {@link SlideStage},
 * {@link AttemptLedger}, {@link SlideWatch}).
 */
@ConfigMapping(prefix = "nic.stage")
public interface StageConfig {

    /** Starts of a slide's work that may end with the JVM dead before the slide fails for good (CRASHED_REPEATEDLY). */
    @WithDefault("3")
    int maxCrashes();

    /**
     * How long a slide's work may show no progress of its own before the service reports itself not live
     * ({@link org.nic.service.health.SlideProgressLiveness}). The encoder reports progress every second; the tiler and
     * predictor report only the start, so theirs bounds a whole slide.
     */
    @WithDefault("30m")
    Duration stallTimeout();

    /** Test-only fault switch, never set outside tests: the JVM halts in the work on a slide whose id starts so. */
    Optional<String> testHaltOnSlidePrefix();
}
