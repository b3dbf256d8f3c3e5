package org.nic.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import org.nic.event.EventJson;
import org.nic.grid.CompressedGrid;
import org.nic.model.HeadRegions;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageLayout;
import org.nic.tiling.SlidePlan;

/**
 * A slide's QuPath export from what NIC stored: its plan (where the cells lie), its grid (the codes the heads read)
 * and the active heads, each run as the dashboard's region map runs it ({@link HeadRegions}). The dashboard's
 * {@code export.geojson} and {@code nic export} both make it here, so the file is the same whichever is asked.
 */
public final class SlideExport {

    /** A head that passed {@link org.nic.trust.VerifiedHead}'s checks, loaded, with what its values mean. */
    public record Head(String task, String headVersion, TaskKind kind, List<String> classes, int crop, OnnxHead model) { }

    /** Something the export cannot be made from, with the reason; {@code missing} when a stored object is not there. */
    public static class Unavailable extends RuntimeException {
        private final boolean missing;

        public Unavailable(String message, boolean missing) {
            super(message);
            this.missing = missing;
        }

        public boolean missing() {
            return missing;
        }
    }

    private SlideExport() {
    }

    /**
     * A head's values per cell of the grid: its output on a window of {@code min(crop, window)} cells around each
     * region, at most {@code maxRegions} evaluations (for a classification head, the last class's probability).
     */
    public static QuPathGeoJson.Layer layer(Head head, CompressedGrid grid, int window, int maxRegions) {
        return new QuPathGeoJson.Layer(head.task(), head.headVersion(), HeadRegions.of(head.model(), grid, head.kind(),
                head.classes(), null, Math.max(1, Math.min(head.crop(), window)), maxRegions));
    }

    /** The GeoJSON of the plan's tissue cells, with each layer's value per cell (layers in task order). */
    public static byte[] geoJson(SlidePlan plan, CompressedGrid grid, String encoderId, List<QuPathGeoJson.Layer> layers) {
        if (plan.grid().rows() != grid.rows() || plan.grid().cols() != grid.cols()) {
            throw new Unavailable("the grid of slide " + plan.slideId() + " (" + grid.rows() + " x " + grid.cols()
                    + ") is not the plan's (" + plan.grid().rows() + " x " + plan.grid().cols() + "): encoded from another plan",
                    false);
        }
        return QuPathGeoJson.write(plan.slideId(), encoderId, plan.grid(), plan.tissueCells(),
                layers.stream().sorted(Comparator.comparing(QuPathGeoJson.Layer::task)).toList());
    }

    /** The slide's stored plan. */
    public static SlidePlan plan(ObjectStore store, String slideId) {
        S3Uri uri = store.uri(StorageLayout.plan(slideId));
        if (!store.exists(uri)) {
            throw new Unavailable("no plan for slide " + slideId + " (not tiled yet)", true);
        }
        try {
            return EventJson.mapper().readValue(store.get(uri), SlidePlan.class);
        } catch (IOException e) {
            throw new UncheckedIOException("plan of slide " + slideId + " unreadable", e);
        }
    }
}
