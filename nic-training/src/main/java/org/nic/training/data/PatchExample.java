package org.nic.training.data;

import java.nio.file.Path;

/**
 * One prepared training patch.
 *
 * @param rgb {@code side x side x 3} bytes, row-major RGB, at 0.5 um/px
 * @param side edge of the prepared image (a bit over 128, so crops and zoom stay inside)
 * @param task index of its task
 * @param label class index, or the regression target
 * @param group images of one group (near-duplicates, or one source) always fall in the same split
 * @param file where it came from
 */
public record PatchExample(byte[] rgb, int side, int task, float label, String group, Path file) { }
