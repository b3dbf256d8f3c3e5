package org.nic.tiler.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.service.messaging.SlideStage;
import org.nic.tiler.service.TilingService;

/**
 * slide-arrived in, slide-tiled or slide-failed out, the way every stage handles a record ({@link SlideStage}):
 * acknowledged only after the plan and slide-tiled are stored; retried later when storage was down; a record
 * with no usable slide id dead-lettered.
 */
@ApplicationScoped
public class SlideArrivedListener {

    static final String STAGE = "tiling";

    private final TilingService tiling;
    private final SlideEventPublisher publisher;
    private final SlideStage stage;

    public SlideArrivedListener(TilingService tiling, SlideEventPublisher publisher, MeterRegistry metrics, Config config,
                                org.nic.storage.ObjectStore store, org.nic.service.messaging.StageConfig stages,
                                org.nic.service.messaging.SlideWatch watch) {
        this.tiling = tiling;
        this.publisher = publisher;
        this.stage = new SlideStage(STAGE, tiling.tilerName(), EventType.SLIDE_ARRIVED, "slide-arrived", config, metrics,
                publisher::failed, Logger.getLogger(SlideArrivedListener.class), new org.nic.service.messaging.AttemptLedger(
                        store, STAGE, stages.maxCrashes()), watch);
    }

    @Incoming("slide-arrived")
    @Blocking
    public CompletionStage<Void> onSlideArrived(Message<byte[]> message) throws InterruptedException {
        return stage.handle(message, SlideArrived.class, SlideArrived::slideId, SlideArrived::uri, event -> {
            publisher.tiled(tiling.tile(event));
            return "tiled";
        });
    }
}
