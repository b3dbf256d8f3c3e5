package org.nic.grid;

/**
 * Shape and chunking of a compressed grid: {@code channels x rows x cols} cells, stored in chunks of
 * {@code channels x chunkRows x chunkCols} (edge chunks are stored whole, padded with zeros, as Zarr does).
 */
public record GridLayout(int channels, int rows, int cols, int chunkRows, int chunkCols) {

    public GridLayout {
        if (channels < 1 || rows < 1 || cols < 1 || chunkRows < 1 || chunkCols < 1) {
            throw new IllegalArgumentException("bad grid layout " + channels + "x" + rows + "x" + cols);
        }
    }

    public int chunkGridRows() {
        return (rows + chunkRows - 1) / chunkRows;
    }

    public int chunkGridCols() {
        return (cols + chunkCols - 1) / chunkCols;
    }

    /** Values in one chunk. */
    public int chunkValues() {
        return channels * chunkRows * chunkCols;
    }

    /** Index of the chunk holding cell (row, col), row-major over the chunk grid. */
    public int chunkOf(int row, int col) {
        return (row / chunkRows) * chunkGridCols() + col / chunkCols;
    }

    /** Offset of channel {@code c} of cell (row, col) inside its chunk (C order). */
    public int offsetInChunk(int c, int row, int col) {
        return (c * chunkRows + row % chunkRows) * chunkCols + col % chunkCols;
    }

    /** Zarr v2 chunk key of a chunk index: {@code 0.<chunkRow>.<chunkCol>}. */
    public String chunkKey(int chunk) {
        return "0." + chunk / chunkGridCols() + "." + chunk % chunkGridCols();
    }
}
