package org.nic.dashboard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Every setting of the dashboard ({@code nic.dashboard.*}, {@code NIC_DASHBOARD_*}). Object storage is
 * {@link org.nic.service.storage.StorageConfig}; HTTP bind and CORS are Quarkus' own
 * ({@code quarkus.http.host}, {@code quarkus.http.cors.*}, see docs/dashboard.md).
 */
@ConfigMapping(prefix = "nic.dashboard")
public interface DashboardConfig {

    /** Slides kept in memory; the least recently updated are forgotten first. */
    @WithDefault("5000")
    int maxSlides();

    /** How far back slide topics are read at start (model topics are always read whole). */
    @WithDefault("P7D")
    Duration window();

    /** Decisions kept per task and encoder in the model history. */
    @WithDefault("200")
    int historyPerHead();

    /** Largest grid (rows x cols) an overlay is computed for: a 128-channel grid costs 512 bytes a cell in memory. */
    @WithDefault("262144")
    int maxGridCells();

    /** Most head evaluations for one region map; larger slides are sampled on a coarser lattice of cells. */
    @WithDefault("1024")
    int maxRegions();

    /** Edge in cells of the window the head reads around each region (at most the head's own crop). */
    @WithDefault("16")
    int regionWindow();

    /** Grids and heads kept in memory for overlays. */
    @WithDefault("4")
    int cacheEntries();

    /** The slide view's deep-zoom viewer: tiles read from the slide itself. */
    Viewer viewer();

    interface Viewer {
        /** Slides kept open for tiles; the least recently used is closed first. */
        @WithDefault("8")
        int openSlides();

        /** Bytes of recent JPEG tiles kept in memory. */
        @WithDefault("67108864")
        long tileCacheBytes();

        /** Deep Zoom tile edge in pixels (254 + 1 px overlap each side: 256, OpenSlide's Deep Zoom server's default). */
        @WithDefault("254")
        int tileSize();

        @WithDefault("1")
        int overlap();

        @WithDefault("0.85")
        double jpegQuality();

        /** Most pixels one tile may read from the slide (a single-level slide seen whole would read it all). */
        @WithDefault("16777216")
        long maxReadPixels();
    }
}
