package org.nic.grid;

/**
 * A stored grid that is not what its encoder wrote: a chunk that holds tissue cells is missing, or a chunk's bytes do
 * not match the SHA-256 recorded for it, or do not decode. Never read as zeros: the prediction fails
 * ({@code GRID_CORRUPT}) and the grid is encoded again.
 */
public final class GridCorruptException extends RuntimeException {

    private final String slideId;

    public GridCorruptException(String slideId, String message) {
        super(message);
        this.slideId = slideId;
    }

    public String slideId() {
        return slideId;
    }
}
