package org.nic.dashboard.viewer;

/**
 * The Deep Zoom pyramid of a slide (the format OpenSeadragon and OpenSlide's Deep Zoom server use): level
 * {@code maxLevel} is the slide at level-0 resolution, each level below halves it (rounding up), down to 1 x 1 px at
 * level 0; each level is cut into {@code tileSize} tiles that overlap their neighbours by {@code overlap} px.
 *
 * @param width level-0 width in pixels
 * @param height level-0 height in pixels
 */
public record DeepZoomGrid(long width, long height, int tileSize, int overlap) {

    /** A tile's place: its box at its level, and the level-0 box it shows. */
    public record Tile(int level, int col, int row, long x, long y, int width, int height, double scale) {

        /** Level-0 left edge. */
        public double x0() {
            return x * scale;
        }

        /** Level-0 top edge. */
        public double y0() {
            return y * scale;
        }
    }

    public DeepZoomGrid {
        if (width < 1 || height < 1 || tileSize < 1 || overlap < 0) {
            throw new IllegalArgumentException("a slide of " + width + " x " + height + " px, tiles of " + tileSize
                    + " px with " + overlap + " px overlap");
        }
    }

    /** The highest level: the slide at full resolution. */
    public int maxLevel() {
        return 64 - Long.numberOfLeadingZeros(Math.max(width, height) - 1);
    }

    /** Level-0 pixels per pixel of {@code level}. */
    public double scale(int level) {
        return Math.scalb(1.0, maxLevel() - level);
    }

    public long levelWidth(int level) {
        return (long) Math.ceil(width / scale(level));
    }

    public long levelHeight(int level) {
        return (long) Math.ceil(height / scale(level));
    }

    public int columns(int level) {
        return (int) ((levelWidth(level) + tileSize - 1) / tileSize);
    }

    public int rows(int level) {
        return (int) ((levelHeight(level) + tileSize - 1) / tileSize);
    }

    /**
     * The tile at {@code (col, row)} of {@code level}: its box grows by the overlap on every side that has a
     * neighbour, and stops at the level's edge.
     *
     * @throws IllegalArgumentException for a level or tile outside the pyramid
     */
    public Tile tile(int level, int col, int row) {
        if (level < 0 || level > maxLevel() || col < 0 || row < 0 || col >= columns(level) || row >= rows(level)) {
            throw new IllegalArgumentException("no tile " + col + "_" + row + " at level " + level + " (levels 0-" + maxLevel()
                    + ")");
        }
        long x = (long) col * tileSize - (col > 0 ? overlap : 0);
        long y = (long) row * tileSize - (row > 0 ? overlap : 0);
        long right = Math.min(levelWidth(level), (long) (col + 1) * tileSize + overlap);
        long bottom = Math.min(levelHeight(level), (long) (row + 1) * tileSize + overlap);
        return new Tile(level, col, row, x, y, (int) (right - x), (int) (bottom - y), scale(level));
    }

    /** The DZI descriptor (XML) of this pyramid with JPEG tiles. */
    public String descriptor() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Image xmlns=\"http://schemas.microsoft.com/deepzoom/2008\" Format=\"jpeg\""
                + " Overlap=\"" + overlap + "\" TileSize=\"" + tileSize + "\"><Size Width=\"" + width + "\" Height=\"" + height
                + "\"/></Image>\n";
    }
}
