package org.nic.tiling;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideMetadata;

/**
 * The tiler's output for one slide: where the patch grid lies, how to read each cell, and which cells
 * hold tissue. Stored as {@code tiling/{slideId}/plan.json}; docs/tiling.md documents every field.
 *
 * <p>A plan is a pure function of the slide's bytes and the tiler's settings: it holds no time stamp,
 * so re-tiling an unchanged slide writes byte-identical JSON and the same {@code planSha256}, and every
 * later stage recognises work it has already done. When it was made is the plan object's
 * {@code Last-Modified} and the slide-tiled event's CloudEvents {@code time}.
 *
 * @param formatVersion version of this document's layout
 * @param slideId the slide
 * @param slideUri where the slide was read from
 * @param identity what identifies the slide's bytes
 * @param slide geometry and spacing of the slide
 * @param grid where cells lie and how they are read
 * @param tissue how tissue was found
 * @param tissueCells row-major list of {@code [row, col]} of tissue cells
 * @param tiler name and version of the service that made the plan
 */
@JsonIgnoreProperties(ignoreUnknown = true) // format 1 plans also held createdAt
public record SlidePlan(int formatVersion, String slideId, String slideUri, SlideIdentity identity,
                        SlideMetadata slide, GridGeometry grid, Tissue tissue, List<int[]> tissueCells,
                        String tiler) {

    /** 2: no createdAt, no identity.modified (deterministic); spacing source recorded. */
    public static final int FORMAT_VERSION = 2;

    /**
     * How tissue was found.
     *
     * @param method name of the method
     * @param parameters its parameters
     * @param saturationThreshold threshold it chose on this slide
     * @param maskWidth width of the mask image
     * @param maskHeight height of the mask image
     * @param maskDownsample level-0 pixels per mask pixel
     * @param tissueFraction fraction of mask pixels that are tissue
     */
    public record Tissue(String method, TissueParameters parameters, int saturationThreshold, int maskWidth,
                         int maskHeight, double maskDownsample, double tissueFraction) { }

    public int tissueCellCount() {
        return tissueCells.size();
    }
}
