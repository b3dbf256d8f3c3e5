package org.nic.encoding;

/** Turns batches of patches into codes. Implementations are safe to call from several threads. */
public interface PatchEncoder extends AutoCloseable {

    /** Patch edge in pixels (128). */
    int PATCH = 128;
    /** Floats in one patch: 3 x 128 x 128, NCHW, RGB in [-1, 1]. */
    int PATCH_FLOATS = 3 * PATCH * PATCH;

    int codeSize();

    /** Where it runs, e.g. {@code cpu} or {@code cuda:0}. */
    String device();

    /**
     * Encodes {@code n} patches.
     *
     * @param patches {@code n * PATCH_FLOATS} floats (more may follow; they are ignored)
     * @param codes receives {@code n * codeSize()} floats
     */
    void encode(float[] patches, int n, float[] codes);

    @Override
    void close();
}
