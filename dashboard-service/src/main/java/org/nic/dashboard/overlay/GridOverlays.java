package org.nic.dashboard.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.dashboard.board.ModelBoard;
import org.nic.dashboard.cache.LruMap;
import org.nic.dashboard.config.DashboardConfig;
import org.nic.dashboard.config.DashboardTrustConfig;
import org.nic.event.EventJson;
import org.nic.grid.CompressedGrid;
import org.nic.grid.ZarrGridReader;
import org.nic.export.QuPathGeoJson;
import org.nic.export.SlideExport;
import org.nic.model.HeadRegions;
import org.nic.model.OnnxHead;
import org.nic.model.TaskKind;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageLayout;
import org.nic.tiling.SlidePlan;
import org.nic.trust.HeadRefused;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;
import org.jboss.logging.Logger;

/**
 * The slide view's pictures, made from what object storage holds (read only): the thumbnail, the grid's
 * codes as the first three principal components in RGB, and an active head's output per region. The grid
 * stays in Zarr in the store; the page gets a PNG the size of the thumbnail.
 */
@ApplicationScoped
public class GridOverlays {

    private static final Logger LOG = Logger.getLogger(GridOverlays.class);

    /** A picture and what the page needs to label it. */
    public record Picture(byte[] png, Map<String, String> facts) { }

    /** A request the overlays cannot serve, with the reason for the page (HTTP 404 when missing, else 422). */
    public static final class Refused extends SlideExport.Unavailable {
        public Refused(String message, boolean missing) {
            super(message, missing);
        }
    }

    private record Plan(int width, int height, double cellPixels) { }

    private final ObjectStore store;
    private final ModelBoard models;
    private final DashboardConfig config;
    private final Timer timer;
    private final Map<String, CompressedGrid> grids;
    private final Map<String, LoadedHead> heads;
    private final TrustedKeys trusted;
    private final VerifiedHead.Limits limits;
    private final MeterRegistry metrics;

    /** A head that passed {@link VerifiedHead}'s checks, in ONNX Runtime. */
    private record LoadedHead(VerifiedHead verified, OnnxHead model) { }

    public GridOverlays(ObjectStore store, ModelBoard models, DashboardConfig config, DashboardTrustConfig trust,
                        MeterRegistry metrics) {
        this.store = store;
        this.metrics = metrics;
        this.trusted = trust.trustedKeys();
        this.limits = trust.limits(config.regionWindow(), 1);
        this.models = models;
        this.config = config;
        this.timer = Timer.builder("nic.dashboard.overlay").description("time to compute an overlay").register(metrics);
        int entries = config.cacheEntries();
        this.grids = new LruMap<>(entries);
        this.heads = new LruMap<>(entries, head -> head.model().close());
    }

    public byte[] thumbnail(String slideId) {
        S3Uri uri = store.uri(StorageLayout.thumbnail(requireId(slideId)));
        if (!store.exists(uri)) {
            throw new Refused("no thumbnail for slide " + slideId + " (not tiled yet)", true);
        }
        return store.get(uri);
    }

    /**
     * The tiler's tissue mask as a layer: tissue cells' pixels a translucent green, the rest transparent (the stored
     * mask is black and white at the mask's resolution, the thumbnail's).
     */
    public byte[] mask(String slideId) {
        S3Uri uri = store.uri(StorageLayout.mask(requireId(slideId)));
        if (!store.exists(uri)) {
            throw new Refused("no tissue mask for slide " + slideId + " (not tiled yet)", true);
        }
        try {
            java.awt.image.BufferedImage in = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(store.get(uri)));
            if (in == null) {
                throw new Refused("the tissue mask of slide " + slideId + " is not an image", false);
            }
            java.awt.image.BufferedImage out = new java.awt.image.BufferedImage(in.getWidth(), in.getHeight(),
                    java.awt.image.BufferedImage.TYPE_INT_ARGB);
            for (int y = 0; y < in.getHeight(); y++) {
                for (int x = 0; x < in.getWidth(); x++) {
                    int rgb = in.getRGB(x, y);
                    boolean tissue = ((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff)) > 3 * 127;
                    out.setRGB(x, y, tissue ? 0xA000C060 : 0);
                }
            }
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(out, "png", png);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first three principal components of the codes over tissue, as RGB. */
    public synchronized Picture pca(String slideId, String encoderId) {
        return timer.record(() -> {
            Plan plan = plan(slideId);
            CompressedGrid grid = grid(slideId, encoderId);
            float[][] scores = CodePca.scores(grid, 3);
            byte[] png = OverlayImages.png(new OverlayImages.Geometry(plan.width(), plan.height(), plan.cellPixels()),
                    grid.rows(), grid.cols(), OverlayImages.rgb(scores));
            return new Picture(png, Map.of("encoder", encoderId, "tissueCells", String.valueOf(grid.tissueCells().size()),
                    "grid", grid.channels() + " x " + grid.rows() + " x " + grid.cols()));
        });
    }

    /**
     * The active head of {@code task} for the encoder, applied to a window around each tissue cell (or around
     * the cells of a coarser lattice on large slides), through the viridis colour map over its 2nd-98th
     * percentile. Classification: the probability of class {@code classIndex} (default the last); survival:
     * log-risk; regression: the value.
     */
    public synchronized Picture regions(String slideId, String encoderId, String task, Integer classIndex) {
        ModelBoard.ActiveHead head = models.active(task, encoderId);
        if (head == null) {
            throw new Refused("no active head for task " + task + " and encoder " + encoderId, true);
        }
        return timer.record(() -> {
            Plan plan = plan(slideId);
            CompressedGrid grid = grid(slideId, encoderId);
            LoadedHead loaded = head(head);
            int window = Math.max(1, Math.min(loaded.verified().crop(), config.regionWindow()));
            HeadRegions regions;
            try {
                regions = HeadRegions.of(loaded.model(), grid, TaskKind.valueOf(head.kind()), loaded.verified().classes(),
                        classIndex, window, config.maxRegions());
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage() + " for task " + task, false);
            }
            double[] range = OverlayImages.percentiles(regions.values(), 0.02, 0.98);
            byte[] png = OverlayImages.png(new OverlayImages.Geometry(plan.width(), plan.height(), plan.cellPixels()),
                    grid.rows(), grid.cols(), OverlayImages.viridis(regions.values(), range[0], range[1]));
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("task", task);
            facts.put("headVersion", head.headVersion());
            facts.put("encoder", encoderId);
            facts.put("output", regions.output());
            facts.put("min", String.valueOf(range[0]));
            facts.put("max", String.valueOf(range[1]));
            facts.put("window", String.valueOf(regions.window()));
            facts.put("stride", String.valueOf(regions.stride()));
            facts.put("regions", String.valueOf(regions.regions()));
            return new Picture(png, facts);
        });
    }

    /**
     * The slide's tissue cells with each active head's value per region, as GeoJSON for QuPath
     * ({@link SlideExport}): the same values as the region maps. Heads of the encoder only; a head refused by the
     * trust checks refuses the export (a file without it would look complete).
     */
    public synchronized byte[] export(String slideId, String encoderId) {
        return timer.record(() -> {
            SlidePlan plan = SlideExport.plan(store, requireId(slideId));
            CompressedGrid grid = grid(slideId, encoderId);
            List<QuPathGeoJson.Layer> layers = new ArrayList<>();
            for (ModelBoard.Head h : models.heads()) {
                ModelBoard.ActiveHead active = h.active();
                if (active == null || !encoderId.equals(active.encoderId())) {
                    continue;
                }
                // Each head's values now: the cache may close a head to make room for the next.
                LoadedHead loaded = head(active);
                layers.add(SlideExport.layer(new SlideExport.Head(active.task(), active.headVersion(),
                        TaskKind.valueOf(active.kind()), loaded.verified().classes(), loaded.verified().crop(), loaded.model()),
                        grid, config.regionWindow(), config.maxRegions()));
            }
            return SlideExport.geoJson(plan, grid, encoderId, layers);
        });
    }

    private Plan plan(String slideId) {
        S3Uri uri = store.uri(StorageLayout.plan(requireId(slideId)));
        if (!store.exists(uri)) {
            throw new Refused("no plan for slide " + slideId + " (not tiled yet)", true);
        }
        try {
            JsonNode plan = EventJson.mapper().readTree(store.get(uri));
            JsonNode tissue = plan.path("tissue");
            double cell = plan.path("grid").path("cellSizeLevel0").asDouble() / tissue.path("maskDownsample").asDouble();
            return new Plan(tissue.path("maskWidth").asInt(), tissue.path("maskHeight").asInt(), cell);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CompressedGrid grid(String slideId, String encoderId) {
        String prefix = StorageLayout.grid(requireId(slideId), requireId(encoderId));
        var zgroup = store.stat(store.uri(prefix + ".zgroup"));
        if (zgroup.isEmpty()) {
            throw new Refused("no complete grid of slide " + slideId + " by encoder " + encoderId, true);
        }
        String key = prefix + "@" + zgroup.get().etag() + zgroup.get().lastModified();
        CompressedGrid cached = grids.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            JsonNode shape = EventJson.mapper().readTree(store.get(store.uri(prefix + "codes/.zarray"))).path("shape");
            long cells = (long) shape.path(1).asInt() * shape.path(2).asInt();
            if (cells > config.maxGridCells()) {
                throw new Refused("grid of slide " + slideId + " has " + cells + " cells, more than nic.dashboard.max-grid-cells ("
                        + config.maxGridCells() + ")", false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompressedGrid grid = ZarrGridReader.read(store, slideId, prefix);
        grids.put(key, grid);
        return grid;
    }

    /** The head, checked as the predictor checks it (signed by a trusted key, within limits), or refused. */
    private LoadedHead head(ModelBoard.ActiveHead head) {
        LoadedHead cached = heads.get(head.sha256());
        if (cached != null) {
            return cached;
        }
        VerifiedHead verified;
        try {
            verified = VerifiedHead.load(store, head.modelUri(), head.cardUri(), head.sha256(), trusted, limits);
        } catch (HeadRefused e) {
            metrics.counter("nic.dashboard.heads.refused", "reason", e.tag()).increment();
            LOG.errorf("head %s %s for %s refused (%s): %s", head.task(), head.headVersion(), head.encoderId(), e.tag(),
                    e.getMessage());
            throw new Refused("head " + head.task() + " " + head.headVersion() + " refused: " + e.getMessage(), false);
        }
        LoadedHead loaded = new LoadedHead(verified, new OnnxHead(verified.model()));
        heads.put(head.sha256(), loaded);
        return loaded;
    }

    private static String requireId(String id) {
        if (!StorageLayout.isValidSlideId(id)) {
            throw new Refused("not a usable id: letters, digits, '.', '_', '-', at most 128", false);
        }
        return id;
    }

    @PreDestroy
    synchronized void close() {
        heads.values().forEach(h -> h.model().close());
        heads.clear();
    }
}
