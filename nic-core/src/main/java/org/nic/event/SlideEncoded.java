package org.nic.event;

/**
 * The encoder wrote a slide's compressed grid. Topic {@link Topics#SLIDE_ENCODED}, key = slide id.
 *
 * @param slideId the slide
 * @param caseId case id carried from earlier events, if any
 * @param gridUri the grid: a Zarr v2 group ({@code codes}, {@code tissue}) under this prefix
 * @param encoderId encoder that made the codes
 * @param encoderSha256 SHA-256 of its ONNX file
 * @param planUri plan the grid follows
 * @param planSha256 SHA-256 of that plan
 * @param channels code length C
 * @param rows grid rows H
 * @param cols grid columns W
 * @param tissueCells cells encoded (the rest are zero)
 * @param reused true when a complete grid for the same encoder and plan was already stored and nothing was encoded
 * @param resumedCells cells found in chunks of an interrupted earlier run
 * @param readSeconds reading time summed over reader threads
 * @param encodeSeconds time in the encoder
 * @param writeSeconds time compressing and storing chunks
 * @param wallSeconds elapsed time
 * @param patchesPerSecond cells encoded per elapsed second
 * @param device where the encoder ran ({@code cpu}, {@code cuda:0})
 * @param encoderService name and version of the service
 */
public record SlideEncoded(String slideId, String caseId, String gridUri, String encoderId, String encoderSha256,
                           String planUri, String planSha256, int channels, int rows, int cols, int tissueCells,
                           boolean reused, int resumedCells, double readSeconds, double encodeSeconds,
                           double writeSeconds, double wallSeconds, double patchesPerSecond, String device,
                           String encoderService) { }
