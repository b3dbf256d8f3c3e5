package org.nic.dashboard.viewer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.jboss.logging.Logger;
import org.nic.dashboard.cache.LruMap;
import org.nic.dashboard.config.DashboardConfig;
import org.nic.dashboard.config.DashboardSourcesConfig;
import org.nic.dashboard.overlay.GridOverlays;
import org.nic.event.StageFailure;
import org.nic.export.SlideExport;
import org.nic.slide.SlideException;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.source.LocatedSlide;
import org.nic.source.SlideSources;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.tiling.SlidePlan;

/**
 * Deep Zoom tiles read from the slide itself, for the slide view's viewer: the slide the plan was made from (its URI
 * and identity in the plan), opened through the same sources and readers as the tiler (OpenSlide, DICOM), read only.
 * A few slides stay open (least recently used closed first) and recent tiles are kept up to a byte budget. A tile is
 * read at the coarsest pyramid level that still has its resolution and scaled down to its size.
 */
@ApplicationScoped
public class SlideTiles {

    private static final Logger LOG = Logger.getLogger(SlideTiles.class);

    /** What the viewer needs to place the slide and NIC's layers on it. */
    public record Viewer(String slideId, long width, long height, int tileSize, int overlap, Double mppX, Double mppY,
                         double cellSizeLevel0, int rows, int cols, int maskWidth, int maskHeight, double maskDownsample,
                         String reader) { }

    private record OpenSlide(SlideReader reader, SlidePlan plan, DeepZoomGrid grid) { }

    private final SlideSources sources;
    private final SlideReaders readers = SlideReaders.installed();
    private final ObjectStore store;
    private final DashboardConfig.Viewer settings;
    private final Timer timer;
    private final Map<String, OpenSlide> open;
    private final TileCache tiles;

    public SlideTiles(DashboardSourcesConfig sources, ObjectStore store, DashboardConfig config, MeterRegistry metrics) {
        this.sources = new SlideSources(sources.settings(), store);
        this.store = store;
        this.settings = config.viewer();
        this.tiles = new TileCache(settings.tileCacheBytes());
        this.timer = Timer.builder("nic.dashboard.tile").description("time to make a Deep Zoom tile not in the cache")
                .publishPercentiles(0.5, 0.95).register(metrics);
        // A read in flight finishes before its slide closes (SlideReader.close waits for it).
        this.open = new LruMap<>(settings.openSlides(), slide -> slide.reader().close());
    }

    /** The slide's size, resolution and NIC's grid on it. */
    public Viewer viewer(String slideId) {
        OpenSlide s = slide(slideId);
        SlidePlan p = s.plan();
        return new Viewer(slideId, s.grid().width(), s.grid().height(), s.grid().tileSize(), s.grid().overlap(),
                p.slide().mppX(), p.slide().mppY(), p.grid().cellSizeLevel0(), p.grid().rows(), p.grid().cols(),
                p.tissue().maskWidth(), p.tissue().maskHeight(), p.tissue().maskDownsample(), p.slide().reader());
    }

    /** The DZI descriptor. */
    public String descriptor(String slideId) {
        return slide(slideId).grid().descriptor();
    }

    /** A JPEG tile. */
    public byte[] tile(String slideId, int level, int col, int row) {
        OpenSlide s = slide(slideId);
        DeepZoomGrid.Tile t;
        try {
            t = s.grid().tile(level, col, row);
        } catch (IllegalArgumentException e) {
            throw new GridOverlays.Refused(e.getMessage(), true);
        }
        return tiles.get(slideId + "/" + level + "/" + col + "_" + row, () -> timer.record(() -> make(s.reader(), t, slideId,
                settings.maxReadPixels(), settings.jpegQuality())));
    }

    /** A tile as JPEG, made from the slide: what the endpoint serves when the cache does not have it. */
    static byte[] make(SlideReader reader, DeepZoomGrid.Tile t, String slideId, long maxReadPixels, double quality) {
        return jpeg(read(reader, t, slideId, maxReadPixels), quality);
    }

    /** The tile's pixels: its level-0 box read at the coarsest level that keeps its resolution, scaled to its size. */
    static BufferedImage read(SlideReader reader, DeepZoomGrid.Tile t, String slideId, long maxReadPixels) {
        int level = reader.bestLevelForDownsample(t.scale());
        double ds = reader.levelDownsample(level);
        long x0 = (long) Math.floor(t.x0());
        long y0 = (long) Math.floor(t.y0());
        int w = (int) Math.max(1, Math.ceil(t.width() * t.scale() / ds));
        int h = (int) Math.max(1, Math.ceil(t.height() * t.scale() / ds));
        if ((long) w * h > maxReadPixels) {
            // A slide without a coarse enough level (a single-level TIFF seen whole): the viewer shows it from the
            // zoom at which a tile's read fits the budget.
            throw new GridOverlays.Refused("slide " + slideId + " has no pyramid level coarse enough for tile "
                    + t.col() + "_" + t.row() + " of level " + t.level() + " (" + w + " x " + h
                    + " px to read; nic.dashboard.viewer.max-read-pixels " + maxReadPixels + ")", false);
        }
        BufferedImage region;
        try {
            region = reader.readRegion(x0, y0, level, w, h);
        } catch (SlideException e) {
            LOG.warnf("slide %s: tile %d/%d_%d unreadable: %s", slideId, t.level(), t.col(), t.row(), e.getMessage());
            throw new GridOverlays.Refused("slide " + slideId + ": tile unreadable", false);
        }
        if (w == t.width() && h == t.height()) {
            return region;
        }
        BufferedImage out = new BufferedImage(t.width(), t.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(region, 0, 0, t.width(), t.height(), null);
        } finally {
            g.dispose();
        }
        return out;
    }

    static byte[] jpeg(BufferedImage image, double quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality((float) quality);
            writer.write(null, new IIOImage(image, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * The slide open, from the URI its plan names; refused when the file is no longer the one planned (its identity
     * differs), so that NIC's layers never lie over another slide.
     */
    private OpenSlide slide(String slideId) {
        if (!StorageLayout.isValidSlideId(slideId)) {
            throw new GridOverlays.Refused("not a usable id: letters, digits, '.', '_', '-', at most 128", false);
        }
        synchronized (open) {
            OpenSlide s = open.get(slideId);
            if (s != null) {
                return s;
            }
        }
        SlidePlan plan = SlideExport.plan(store, slideId);
        LocatedSlide located;
        try {
            located = sources.locate(plan.slideUri());
        } catch (StageFailure e) {
            LOG.warnf("slide %s: not viewable (%s)", slideId, e.reason());
            throw new GridOverlays.Refused("slide " + slideId + " cannot be read here: " + e.reason(), false);
        }
        if (plan.identity() != null && !plan.identity().sameSlideAs(located.identity())) {
            LOG.warnf("slide %s: the file differs from the one planned; not shown", slideId);
            throw new GridOverlays.Refused("slide " + slideId + "'s file changed since it was planned", false);
        }
        SlideReader reader;
        try {
            reader = readers.open(located.path());
        } catch (SlideException e) {
            LOG.warnf("slide %s: cannot open for viewing: %s", slideId, e.getMessage());
            throw new GridOverlays.Refused("slide " + slideId + " cannot be opened", false);
        }
        var dims = reader.levelDimensions(0);
        OpenSlide s = new OpenSlide(reader, plan, new DeepZoomGrid(dims.width(), dims.height(), settings.tileSize(),
                settings.overlap()));
        synchronized (open) {
            OpenSlide raced = open.get(slideId);
            if (raced != null) {
                reader.close();
                return raced;
            }
            open.put(slideId, s);
        }
        return s;
    }

    @PreDestroy
    void close() {
        synchronized (open) {
            open.values().forEach(s -> s.reader().close());
            open.clear();
        }
    }
}
