package org.nic.event;

/**
 * An operator or the trainer asks for a slide to be (re-)encoded, e.g. after an encoder upgrade.
 * Topic {@link Topics#ENCODE_REQUESTED}, key = slide id.
 *
 * @param slideId the slide (its plan must be stored)
 * @param encoderId encoder to use; null for the service's default
 * @param force encode again even when a complete grid exists
 */
public record EncodeRequested(String slideId, String encoderId, boolean force) { }
