package org.nic.dashboard.messaging;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What changed, pushed to every open page (server-sent events). A page that falls too far behind loses its
 * stream; its EventSource reconnects and reloads the current state.
 */
@ApplicationScoped
public class Updates {

    /** {@code type}: slide (data = the slide), deadLetters (data = counts per topic), models, ping. */
    public record Update(String type, Object data) { }

    private static final int BUFFER = 4096;

    private final BroadcastProcessor<Update> processor = BroadcastProcessor.create();

    public void publish(String type, Object data) {
        processor.onNext(new Update(type, data));
    }

    public Multi<Update> stream() {
        Multi<Update> pings = Multi.createFrom().ticks().every(Duration.ofSeconds(15)).map(t -> new Update("ping", t));
        return Multi.createBy().merging().streams(processor.onOverflow().buffer(BUFFER), pings);
    }
}
