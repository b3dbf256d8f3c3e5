package org.nic.event;

/**
 * The tiler planned a slide's patch grid. Topic {@link Topics#SLIDE_TILED}, key = slide id.
 *
 * @param slideId the slide
 * @param slideUri where the slide was read from
 * @param caseId case id from slide-arrived, if any
 * @param planUri the plan (JSON)
 * @param planSha256 SHA-256 of the plan object, so later stages can tell which plan they used
 * @param thumbnailUri thumbnail PNG (same pixels as the mask)
 * @param maskUri tissue mask PNG
 * @param rows whole cells down the slide
 * @param cols whole cells across the slide
 * @param tissueCells cells planned for encoding
 * @param level pyramid level patches are read from
 * @param spacing level-0 micrometres per pixel used
 * @param spacingAssumed true when the slide gave no spacing and the configured default was used
 * @param spacingSource where the spacing came from: openslide, tiff-resolution, override or assumed
 * @param targetSpacing micrometres per pixel of a patch
 * @param patchSize patch edge in pixels
 * @param tiler name and version of the tiler
 * @param durationMillis time spent tiling
 */
public record SlideTiled(String slideId, String slideUri, String caseId, String planUri, String planSha256,
                         String thumbnailUri, String maskUri, int rows, int cols, int tissueCells, int level,
                         double spacing, boolean spacingAssumed, org.nic.slide.SpacingSource spacingSource,
                         double targetSpacing, int patchSize, String tiler,
                         long durationMillis) { }
