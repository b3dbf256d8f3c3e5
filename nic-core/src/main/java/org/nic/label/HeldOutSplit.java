package org.nic.label;

import java.nio.charset.StandardCharsets;
import org.nic.hash.Sha256;

/**
 * The held-out side of a slide, from a stable hash of its case id (else its slide id): the split does not
 * reshuffle as labels grow, and slides of one case never straddle it.
 */
public final class HeldOutSplit {

    private final double share;
    private final String salt;

    public HeldOutSplit(double share) {
        this(share, "");
    }

    /** A split independent of others over the same ids (e.g. a validation split inside the training side). */
    public HeldOutSplit(double share, String salt) {
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException("held-out share must be in (0, 1): " + share);
        }
        this.share = share;
        this.salt = salt;
    }

    public boolean isHeldOut(String caseId, String slideId) {
        return position(salt, caseId, slideId) < share;
    }

    /**
     * The fold (0 to {@code folds - 1}) of a slide for cross-validation by case, from the same kind of stable hash
     * under {@code salt}: slides of one case share a fold.
     */
    public static int fold(String salt, String caseId, String slideId, int folds) {
        if (folds < 1) {
            throw new IllegalArgumentException("folds must be at least 1: " + folds);
        }
        return Math.min(folds - 1, (int) (position(salt, caseId, slideId) * folds));
    }

    /** A uniform position in [0, 1) from the hash of the salted case id (else slide id). */
    static double position(String salt, String caseId, String slideId) {
        String key = salt + (caseId != null && !caseId.isBlank() ? "case:" + caseId : "slide:" + slideId);
        byte[] h = Sha256.of(key.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 7; i++) {
            v = (v << 8) | (h[i] & 0xFF);
        }
        return v / (double) (1L << 56);
    }
}
