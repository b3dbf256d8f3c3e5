package org.nic.event;

/**
 * A scanner (or a watcher in front of it) has a new slide. Topic {@link Topics#SLIDE_ARRIVED}, key = slide id.
 *
 * @param slideId stable id of the slide (a DICOM series UID, a content hash...): letters, digits, '.', '_', '-'
 * @param uri {@code s3://bucket/key} or {@code file:/path} under an allowed root
 * @param scanner optional scanner name
 * @param caseId optional case or patient id; carried in events, never put in object keys
 * @param mppOverride optional level-0 micrometres per pixel, for slides that lack or misstate it
 */
public record SlideArrived(String slideId, String uri, String scanner, String caseId, Double mppOverride) { }
