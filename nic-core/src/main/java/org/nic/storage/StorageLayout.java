package org.nic.storage;

import java.util.regex.Pattern;

/**
 * Object keys of everything NIC stores, all deterministic so a redelivered event rewrites the same
 * objects. Keys hold slide ids only, never case ids or patient names. See docs/storage.md.
 */
public final class StorageLayout {

    private static final Pattern SLIDE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

    private StorageLayout() {
    }

    /** Whether a slide id is safe to use in object keys. */
    public static boolean isValidSlideId(String slideId) {
        return slideId != null && SLIDE_ID.matcher(slideId).matches() && !slideId.contains("..");
    }

    public static String tilingPrefix(String slideId) {
        return "tiling/" + requireId(slideId) + "/";
    }

    public static String plan(String slideId) {
        return tilingPrefix(slideId) + "plan.json";
    }

    public static String thumbnail(String slideId) {
        return tilingPrefix(slideId) + "thumbnail.png";
    }

    public static String mask(String slideId) {
        return tilingPrefix(slideId) + "mask.png";
    }

    /** Prefix of the compressed grid of a slide by an encoder: a Zarr v2 group. */
    public static String grid(String slideId, String encoderId) {
        return "grids/" + requireId(slideId) + "/" + requireId(encoderId) + "/";
    }

    /** Prefix of an encoder in the model registry ({@code model.onnx}, {@code card.json}). */
    public static String encoder(String encoderId) {
        return "models/encoders/" + requireId(encoderId) + "/";
    }

    /**
     * Prefix of a head version in the model registry ({@code model.onnx}, {@code card.json}, {@code signature.json}):
     * the trainer writes it, every version stays.
     */
    public static String head(String task, String version) {
        return "models/heads/" + requireId(task) + "/" + requireId(version) + "/";
    }

    private static String requireId(String slideId) {
        if (!isValidSlideId(slideId)) {
            throw new IllegalArgumentException("invalid id (letters, digits, . _ -): " + slideId);
        }
        return slideId;
    }
}
