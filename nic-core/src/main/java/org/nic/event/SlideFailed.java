package org.nic.event;

/**
 * A stage could not process a slide. Topic {@link Topics#SLIDE_FAILED}, key = slide id.
 *
 * @param slideId the slide
 * @param stage the stage that failed: {@code tiling}, {@code encoding}, {@code prediction}
 * @param reason machine-readable reason
 * @param message what happened, for a person
 * @param retriable whether the same event may succeed later (e.g. storage was down)
 * @param service name and version of the service that failed
 * @param uri the slide's URI, when known
 * @param attempt which attempt of the stage this was, 1 for the first (null from services that do not count)
 * @param retrying true when NIC will drive the slide through the stage again by itself (a delayed retry);
 *                 false when this is the stage's last word on the slide
 */
public record SlideFailed(String slideId, String stage, FailureReason reason, String message, boolean retriable,
                          String service, String uri, Integer attempt, Boolean retrying) {

    /** A final failure of a service that does not count attempts. */
    public SlideFailed(String slideId, String stage, FailureReason reason, String message, boolean retriable,
                       String service, String uri) {
        this(slideId, stage, reason, message, retriable, service, uri, null, false);
    }

    /**
     * The CloudEvents id this failure is published under, so that the same failure published again carries the same
     * id and consumers drop the repeat, as they do for every other output. A stage's last word on a slide is its
     * reason: {@code {slide}:failed:{stage}:{reason}}, whichever delivery said it (a record redelivered after a replica
     * died or after a commit a lost broker did not take, or the original record again beside its delayed-retry copy:
     * the soak at scale saw both). A retrying failure is one attempt's: {@code ...:{attempt}:retrying}.
     */
    public String eventId() {
        String id = slideId + ":failed:" + stage + ":" + reason;
        return Boolean.TRUE.equals(retrying) ? id + ":" + attempt + ":retrying" : id;
    }
}
