package org.nic.encoder.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.nic.encoder.service.EncodingService;
import org.nic.event.EncodeRequested;
import org.nic.event.EventType;
import org.nic.event.SlideEncoded;
import org.nic.event.SlideProgress;
import org.nic.event.SlideTiled;
import org.nic.event.StageFailure;
import org.nic.service.messaging.SlideStage;
import org.nic.service.messaging.SlideWatch;

/**
 * slide-tiled (and encode-requested) in; slide-encoded, slide-progress or slide-failed out, the way every
 * stage handles a record ({@link SlideStage}). Both channels run on one worker pool of one thread
 * ({@value #WORKER}, {@code smallrye.messaging.worker.nic-encoding.max-concurrency=1}): one slide at a time
 * per service, so an ONNX Runtime session is never swapped or closed under a slide, and a slide gets every
 * core.
 */
@ApplicationScoped
public class EncodingListener {

    static final String STAGE = "encoding";
    static final String WORKER = "nic-encoding";

    private final EncodingService encoding;
    private final EncoderEventPublisher publisher;
    private final MeterRegistry metrics;
    private final SlideStage tiled;
    private final SlideStage requested;
    private final SlideWatch watch;

    private static final Logger LOG = Logger.getLogger(EncodingListener.class);

    public EncodingListener(EncodingService encoding, EncoderEventPublisher publisher, MeterRegistry metrics, Config config,
                            org.nic.storage.ObjectStore store, org.nic.service.messaging.StageConfig stages,
                            SlideWatch watch) {
        this.encoding = encoding;
        this.watch = watch;
        this.publisher = publisher;
        this.metrics = metrics;
        // One ledger for both channels: a slide that kills the encoder crashes it whichever way it came.
        org.nic.service.messaging.AttemptLedger ledger = new org.nic.service.messaging.AttemptLedger(store, STAGE,
                stages.maxCrashes());
        this.tiled = new SlideStage(STAGE, encoding.serviceName(), EventType.SLIDE_TILED, "slide-tiled", config, metrics,
                publisher::failed, LOG, ledger, watch);
        this.requested = new SlideStage(STAGE, encoding.serviceName(), EventType.ENCODE_REQUESTED, "encode-requested", config,
                metrics, publisher::failed, LOG, ledger, watch);
    }

    @Incoming("slide-tiled")
    @Blocking(WORKER)
    public CompletionStage<Void> onSlideTiled(Message<byte[]> message) throws InterruptedException {
        return tiled.handle(message, SlideTiled.class, SlideTiled::slideId, SlideTiled::slideUri,
                event -> encode(new EncodingService.Request(event.slideId(), event.caseId(), null, false)));
    }

    @Incoming("encode-requested")
    @Blocking(WORKER)
    public CompletionStage<Void> onEncodeRequested(Message<byte[]> message) throws InterruptedException {
        return requested.handle(message, EncodeRequested.class, EncodeRequested::slideId, e -> null,
                event -> encode(new EncodingService.Request(event.slideId(), null, event.encoderId(), event.force())));
    }

    private String encode(EncodingService.Request request) throws StageFailure, InterruptedException {
        // Progress is reported from the pipeline's own threads: it is put in the slide's trace explicitly.
        io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
        SlideEncoded encoded;
        try {
            encoded = encoding.encode(request, (slide, done, total) -> {
                // Liveness judges a slide by this: cells encoded, not time since the record was polled.
                watch.progressed(STAGE, slide);
                try (io.opentelemetry.context.Scope scope = trace.makeCurrent()) {
                    publisher.progress(new SlideProgress(slide, STAGE, done, total));
                }
            });
        } catch (EncodingService.Superseded e) {
            // Another replica holds the slide now (this one lost its partition): it answers; this one says nothing.
            LOG.warnf("%s; no output from this replica", e.getMessage());
            return "superseded";
        }
        publisher.encoded(encoded);
        metrics.counter("nic.encoder.patches").increment(encoded.reused() ? 0 : encoded.tissueCells() - encoded.resumedCells());
        return encoded.reused() ? "reused" : "encoded";
    }
}
