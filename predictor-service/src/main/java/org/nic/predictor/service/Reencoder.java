package org.nic.predictor.service;

import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.nic.event.EncodeRequested;
import org.nic.service.messaging.CloudEventSender;

/**
 * Asks the encoder to encode a slide again when its grid is corrupt ({@code encode-requested}, forced: the stored
 * grid is not reused). Once per slide and encoder per {@link #QUIET}: a grid that comes back corrupt again (a store
 * that keeps losing writes) fails without another request, so the two stages cannot loop.
 */
@ApplicationScoped
public class Reencoder {

    private static final Logger LOG = Logger.getLogger(Reencoder.class);
    static final Duration QUIET = Duration.ofHours(1);

    private final MutinyEmitter<byte[]> requests;
    private final Map<String, Long> asked = new ConcurrentHashMap<>();

    public Reencoder(@Channel("encode-requested") MutinyEmitter<byte[]> requests) {
        this.requests = requests;
    }

    /** @return whether a request was sent (false: one was sent for this grid within the quiet period) */
    public boolean request(String slideId, String encoderId) {
        long now = System.nanoTime();
        String key = slideId + "/" + encoderId;
        Long before = asked.get(key);
        if (before != null && now - before < QUIET.toNanos()) {
            return false;
        }
        asked.put(key, now);
        CloudEventSender.send(requests, slideId, null, new EncodeRequested(slideId, encoderId, true));
        LOG.warnf("slide %s: grid of %s corrupt, encoding it again requested", slideId, encoderId);
        return true;
    }
}
