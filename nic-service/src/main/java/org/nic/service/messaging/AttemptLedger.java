package org.nic.service.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;

/**
 * Durable count of a stage's unfinished starts on a slide, so that a record which kills the JVM (out of memory, a native
 * crash in OpenSlide or ONNX Runtime, a hang that liveness restarts) is not redelivered for ever: before the work starts
 * a marker {@code attempts/{stage}/{slideId}.json} records one more start; when the work ends (done, or failed and handled)
 * the marker is deleted. A start that finds {@code max-crashes} unfinished starts before it knows the earlier ones
 * died in the work. Object storage, not memory: it survives the restart it is there for, and any replica reads it.
 * A store that cannot be asked does not stop the stage (it fails on the store anyway, or goes on): the ledger only logs.
 */
public final class AttemptLedger {

    private static final Logger LOG = Logger.getLogger(AttemptLedger.class);

    private final ObjectStore store;
    private final String stage;
    private final int maxCrashes;
    /** Slides whose work ended while the store could not take the marker's deletion: their marker counts no crash. */
    private final java.util.Set<String> endedUnrecorded = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public AttemptLedger(ObjectStore store, String stage, int maxCrashes) {
        this.store = store;
        this.stage = stage;
        this.maxCrashes = maxCrashes;
    }

    /** A ledger that records nothing (tests of pure logic, stages without a store). */
    public static AttemptLedger none() {
        return new AttemptLedger(null, "none", Integer.MAX_VALUE);
    }

    public int maxCrashes() {
        return maxCrashes;
    }

    static String key(String stage, String slideId) {
        return "attempts/" + stage + "/" + slideId + ".json";
    }

    /**
     * Records a start of the work on the slide.
     *
     * @return the earlier starts that never ended: crashes of this stage on this slide
     */
    public int begin(String slideId) {
        if (store == null) {
            return 0;
        }
        try {
            S3Uri marker = store.uri(key(stage, slideId));
            int unfinished = 0;
            if (endedUnrecorded.remove(slideId)) {
                // This process saw the last start end (the store was down for the marker's deletion): not a crash.
                store.delete(marker);
            } else if (store.exists(marker)) {
                JsonNode m = EventJson.mapper().readTree(store.get(marker));
                unfinished = m.path("unfinished").asInt(0);
            }
            store.put(key(stage, slideId), EventJson.toBytes(Map.of("unfinished", unfinished + 1, "stage", stage)),
                    "application/json");
            return unfinished;
        } catch (StorageException | IOException e) {
            LOG.warnf("slide %s: could not record the start of %s (%s)", slideId, stage, e.getMessage());
            return 0;
        }
    }

    /** The work on the slide ended without the JVM dying: no crash to count. */
    public void end(String slideId) {
        if (store == null) {
            return;
        }
        try {
            store.delete(store.uri(key(stage, slideId)));
        } catch (StorageException e) {
            endedUnrecorded.add(slideId);
            LOG.warnf("slide %s: could not clear the start of %s (%s); this process remembers it ended", slideId, stage,
                    e.getMessage());
        }
    }
}
