package org.nic.training.model;

/**
 * Shape of the NIC patch encoder (DESIGN section 5): 128 px RGB at 0.5 um/px in [-1, 1], 2x2 average pool to
 * 64 x 64, {@code depth} x [conv 3x3, {@code filters}, stride 2, valid -> LeakyReLU({@code leak}) -> batch
 * norm], flatten, dense {@code codeSize} (linear).
 */
public record EncoderArchitecture(int codeSize, int depth, int filters, float leak, float batchNormEpsilon,
                                  int inputPool) {

    /** The paper's encoder: code 128, 4 convolutions of 128 filters (~0.6 M parameters). */
    public static EncoderArchitecture paper() {
        return new EncoderArchitecture(128, 4, 128, 0.2f, 1e-3f, 2);
    }

    public EncoderArchitecture {
        if (codeSize < 1 || depth < 1 || filters < 1 || inputPool < 1) {
            throw new IllegalArgumentException("bad encoder architecture");
        }
        if (spatial(128 / inputPool, depth) < 1) {
            throw new IllegalArgumentException("depth " + depth + " leaves no pixels of a 128 px patch");
        }
    }

    /** Side of the last feature map: 3 for the paper's encoder. */
    public int finalSide() {
        return spatial(128 / inputPool, depth);
    }

    public int flattenedSize() {
        return finalSide() * finalSide() * filters;
    }

    private static int spatial(int side, int depth) {
        for (int i = 0; i < depth; i++) {
            side = (side - 3) / 2 + 1;
        }
        return side;
    }
}
