package org.nic.service.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.jboss.logging.Logger;
import org.nic.service.messaging.SlideWatch;
import org.nic.service.messaging.StageConfig;

/**
 * Live while no slide in work has been quiet (no progress of its own) for longer than {@code nic.stage.stall-timeout}.
 * A hung slide (a native call that never returns, a deadlock) makes the service not live, so the orchestrator
 * restarts it, and the crash ledger counts that start ({@link org.nic.service.messaging.AttemptLedger}). Records
 * waiting behind a long slide are not in work and do not count: a backlog is not a hang.
 */
@Liveness
@ApplicationScoped
public class SlideProgressLiveness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(SlideProgressLiveness.class);

    private final SlideWatch watch;
    private final StageConfig config;

    public SlideProgressLiveness(SlideWatch watch, StageConfig config) {
        this.watch = watch;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        List<SlideWatch.InWork> stalled = watch.stalled(config.stallTimeout());
        Instant now = watch.now();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("slide-progress").status(stalled.isEmpty())
                .withData("inWork", watch.inWork().size())
                .withData("stallTimeoutSeconds", config.stallTimeout().toSeconds());
        for (SlideWatch.InWork w : stalled) {
            long quiet = w.quietFor(now).toSeconds();
            response.withData(w.slideId(), w.stage() + ": no progress for " + quiet + " s");
            LOG.errorf("slide %s: no progress at %s for %d s (stall timeout %d s): reporting not live",
                    w.slideId(), w.stage(), quiet, config.stallTimeout().toSeconds());
        }
        return response.build();
    }
}
