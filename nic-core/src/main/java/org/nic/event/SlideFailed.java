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
 */
public record SlideFailed(String slideId, String stage, FailureReason reason, String message, boolean retriable,
                          String service, String uri) { }
