package org.nic.event;

/**
 * How far a stage is with a slide, at most every second. Topic {@link Topics#SLIDE_PROGRESS}, key = slide id.
 *
 * @param slideId the slide
 * @param stage {@code encoding}
 * @param done cells done
 * @param total cells to do
 */
public record SlideProgress(String slideId, String stage, int done, int total) { }
