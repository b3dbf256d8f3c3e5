package org.nic.tiler.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.nic.hash.Sha256;
import org.nic.service.messaging.TransientFailure;
import org.jboss.logging.Logger;
import org.nic.event.EventJson;
import org.nic.event.FailureReason;
import org.nic.event.SlideArrived;
import org.nic.event.SlideTiled;
import org.nic.slide.SlideException;
import org.nic.slide.SlideIdentity;
import org.nic.source.LocatedSlide;
import org.nic.event.StageFailure;
import org.nic.source.SlideSources;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;
import org.nic.storage.StorageLayout;
import org.nic.tiler.config.TilerConfig;
import org.nic.slide.SpacingSource;
import org.nic.tiling.GridGeometry;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/**
 * Tiles one slide: locate it, open it, plan its grid and tissue, store plan, thumbnail and mask under
 * deterministic keys (the plan last, so a plan's presence means its images are there too).
 */
@ApplicationScoped
public class TilingService {

    private static final Logger LOG = Logger.getLogger(TilingService.class);

    private final TilerConfig config;
    private final SlideSources sources;
    private final ObjectStore store;
    private final SlideReaders readers = SlideReaders.installed();
    private final SlidePlanner planner;
    private final String tilerName;

    public TilingService(TilerConfig config, ObjectStore store,
                         @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.config = config;
        this.sources = new SlideSources(config.sources().settings(), store);
        this.store = store;
        this.tilerName = "nic-tiler/" + version;
        TilerConfig.Tiling t = config.tiling();
        this.planner = new SlidePlanner(new SlidePlanner.GridSettings(t.targetSpacing(), t.patchSize(),
                t.defaultSpacing(), t.spacingTolerance(), tissueParameters(config.tissue()), t.maxCells()), tilerName);
    }

    /** Name and version written into plans and events. */
    public String tilerName() {
        return tilerName;
    }

    /**
     * Plans the slide and stores plan, thumbnail and mask. An object store that fails is retried here with
     * backoff (2 s doubling to 15 s, for up to {@code max-duration}, 60 s); past that the stage fails with
     * {@code STORAGE_UNAVAILABLE}, retriable, and the slide goes to the delayed retry topic.
     */
    @Retry(maxRetries = -1, delay = 2000, maxDuration = 60_000, jitter = 500)
    @ExponentialBackoff(factor = 2, maxDelay = 15_000)
    @RetryWhen(exception = TransientFailure.class)
    public SlideTiled tile(SlideArrived event) throws StageFailure {
        long t0 = System.nanoTime();
        String slideId = event.slideId();
        if (!StorageLayout.isValidSlideId(slideId)) {
            throw new StageFailure(FailureReason.INVALID_EVENT, "invalid slide id " + slideId);
        }
        LocatedSlide located = sources.locate(event.uri());
        checkSameSlide(slideId, located.identity());
        SlidePlanner.Result result;
        try (SlideReader reader = readers.open(located.path())) {
            checkSize(reader, config.tiling().maxPixels(), config.tiling().maxSide());
            result = planner.plan(slideId, event.uri(), located.identity(), reader, event.mppOverride());
        } catch (SlideException e) {
            throw new StageFailure(reasonOf(e), e.getMessage(), e);
        } catch (GridGeometry.TooManyCellsException e) {
            throw new StageFailure(FailureReason.SLIDE_TOO_LARGE, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new StageFailure(FailureReason.INVALID_EVENT, e.getMessage(), e);
        }
        SlidePlan plan = result.plan();
        if (plan.grid().spacingSource() == SpacingSource.ASSUMED) {
            LOG.warnf("slide %s states no usable spacing (no openslide.mpp-x, no plausible TIFF resolution tags): assuming"
                    + " %.4f um/px; send mppOverride if that is wrong", slideId, plan.grid().spacing());
        }
        if (plan.grid().cellCount() == 0) {
            throw new StageFailure(FailureReason.NO_TISSUE, "slide is smaller than one " + plan.grid().patchSize()
                    + " px cell at " + plan.grid().targetSpacing() + " um/px");
        }
        if (plan.tissueCellCount() == 0) {
            throw new StageFailure(FailureReason.NO_TISSUE, "no tissue found in " + plan.grid().cellCount()
                    + " cells (saturation threshold " + plan.tissue().saturationThreshold() + ")");
        }
        try {
            S3Uri thumbnail = store.put(StorageLayout.thumbnail(slideId), png(result.thumbnail().toBufferedImage()), "image/png");
            S3Uri mask = store.put(StorageLayout.mask(slideId), png(result.mask().toImage()), "image/png");
            byte[] planJson = EventJson.toBytes(plan);
            S3Uri planUri = store.put(StorageLayout.plan(slideId), planJson, "application/json");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            LOG.infof("slide %s tiled: %d x %d cells, %d tissue, level %d, %.4f um/px (%s), plan %s, in %d ms", slideId,
                    plan.grid().rows(), plan.grid().cols(), plan.tissueCellCount(), plan.grid().level(),
                    plan.grid().spacing(), plan.grid().spacingSource().label(), Sha256.hex(planJson).substring(0, 12), millis);
            return new SlideTiled(slideId, event.uri(), event.caseId(), planUri.toString(), Sha256.hex(planJson),
                    thumbnail.toString(), mask.toString(), plan.grid().rows(), plan.grid().cols(),
                    plan.tissueCellCount(), plan.grid().level(), plan.grid().spacing(), plan.grid().spacingAssumed(),
                    plan.grid().spacingSource(), plan.grid().targetSpacing(), plan.grid().patchSize(), tilerName, millis);
        } catch (StorageException e) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
        }
    }

    private static FailureReason reasonOf(SlideException e) {
        return switch (e.kind()) {
            case UNSUPPORTED_FORMAT -> FailureReason.UNSUPPORTED_FORMAT;
            case OPEN_FAILED -> FailureReason.UNOPENABLE_SLIDE;
            case READ_FAILED -> FailureReason.UNREADABLE_PIXELS;
            case CLOSED -> FailureReason.INTERNAL_ERROR;
            case NOT_A_SLIDE -> FailureReason.NOT_A_SLIDE;
            case NO_VOLUME_IMAGE -> FailureReason.NO_VOLUME_IMAGE;
            case UNSUPPORTED_TRANSFER_SYNTAX -> FailureReason.UNSUPPORTED_TRANSFER_SYNTAX;
            case UNSUPPORTED_PIXEL_FORMAT -> FailureReason.UNSUPPORTED_PIXEL_FORMAT;
            case INCONSISTENT_SERIES -> FailureReason.INCONSISTENT_SERIES;
        };
    }

    /**
     * One id, one slide: a plan already stored under this id must have been made from the same bytes (size and SHA-256
     * of the first MiB; not the ETag, which a re-upload of the same bytes may change). Another slide under a known id
     * is refused, so that the first one's plan, grid and predictions are never overwritten; the same slide again (a
     * redelivery, a re-run) goes on.
     */
    void checkSameSlide(String slideId, SlideIdentity identity) throws StageFailure {
        S3Uri stored = store.uri(StorageLayout.plan(slideId));
        SlideIdentity before;
        try {
            if (!store.exists(stored)) {
                return;
            }
            before = EventJson.mapper().readValue(store.get(stored), SlidePlan.class).identity();
        } catch (StorageException e) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
        } catch (java.io.IOException e) {
            LOG.warnf("slide %s: the plan stored under its id is unreadable (%s); planning it again", slideId, e.getMessage());
            return;
        }
        if (before != null && (before.size() != identity.size() || !java.util.Objects.equals(before.headSha256(),
                identity.headSha256()))) {
            throw new StageFailure(FailureReason.ID_CONFLICT, String.format("slide id %s already names another slide (%d bytes,"
                    + " first MiB %s...; this one: %d bytes, %s...): its plan, grid and predictions stay; a new scan needs a new"
                    + " slide id", slideId, before.size(), prefix(before.headSha256()), identity.size(),
                    prefix(identity.headSha256())));
        }
    }

    private static String prefix(String sha) {
        return sha == null ? "?" : sha.substring(0, Math.min(12, sha.length()));
    }

    /**
     * Every level's sides and pixels against the limits, from the reader's header data only: nothing is sized by a
     * slide's dimensions before this passes.
     */
    static void checkSize(SlideReader reader, long maxPixels, long maxSide) throws StageFailure {
        for (int level = 0; level < reader.levelCount(); level++) {
            SlideReader.LevelDimensions d = reader.levelDimensions(level);
            String what = level == 0 ? "slide" : "level " + level;
            if (d.width() > maxSide || d.height() > maxSide) {
                throw new StageFailure(FailureReason.SLIDE_TOO_LARGE, String.format(
                        "%s is %d x %d px, a side over the limit of %d px", what, d.width(), d.height(), maxSide));
            }
            if (d.pixels() > maxPixels) {
                throw new StageFailure(FailureReason.SLIDE_TOO_LARGE, String.format(
                        "%s is %d x %d = %d pixels, over the limit of %d", what, d.width(), d.height(), d.pixels(), maxPixels));
            }
        }
    }

    static TissueParameters tissueParameters(TilerConfig.Tissue t) {
        return new TissueParameters(t.maskSpacing(), t.minSaturation(), t.darkValue(), t.penHueMin(), t.penHueMax(),
                t.penMinSaturation(), t.closingRadius(), t.openingRadius(), t.minComponentArea(),
                t.minCellTissueFraction(), t.maskSourceFactor());
    }

    private static byte[] png(java.awt.image.BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed", e);
        }
    }
}
