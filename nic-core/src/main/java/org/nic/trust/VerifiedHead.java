package org.nic.trust;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nic.event.EventJson;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.storage.ObjectStore;
import org.nic.storage.ObjectTooLargeException;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;

/**
 * A head read from the store and checked before anything runs it: every file read with a size cap, the model's
 * SHA-256 against its event and card, the signature against the trusted keys, and the card's placement
 * (crop, crops) within the service's limits. One way to load a head for every service that runs one (the
 * predictor, the dashboard's maps, the trainer's champion, {@code nic pin-head}).
 *
 * @param model the ONNX file's bytes
 * @param card its card
 * @param signature who signed it
 * @param crop crop edge in cells (the card's, else the service's default)
 * @param crops crops averaged per slide (the card's, else the service's default)
 * @param classes class names in output order (classification), else empty
 */
public record VerifiedHead(byte[] model, ModelCard card, HeadSignature signature, int crop, int crops, List<String> classes) {

    /** A card and a signature are small JSON files: anything larger is not one. */
    static final int MAX_CARD_BYTES = 1 << 20;
    static final int MAX_SIGNATURE_BYTES = 16 << 10;

    /**
     * What a head may ask of a service.
     *
     * @param maxModelBytes largest model file read
     * @param maxCrop largest crop edge in cells (a 400-cell crop of 128 channels is 82 MB of input)
     * @param maxCrops most crops averaged per slide
     * @param defaultCrop crop edge when the card does not say
     * @param defaultCrops crops when the card does not say
     */
    public record Limits(int maxModelBytes, int maxCrop, int maxCrops, int defaultCrop, int defaultCrops) {

        public static final Limits DEFAULT = new Limits(64 << 20, 1024, 64, 400, 10);
    }

    /**
     * Reads and checks a head.
     *
     * @param expectedSha256 the SHA-256 its event names (null: the card's alone)
     * @throws HeadRefused when a check fails: the caller keeps what it had
     * @throws StorageException when the store fails or a file is missing (other than the signature)
     */
    public static VerifiedHead load(ObjectStore store, String modelUri, String cardUri, String expectedSha256,
                                    TrustedKeys trusted, Limits limits) throws HeadRefused {
        byte[] cardBytes = read(store, cardUri, MAX_CARD_BYTES, "card");
        HeadSignature signature = signature(store, cardUri);
        byte[] model = read(store, modelUri, limits.maxModelBytes(), "model");
        String actual = Sha256.hex(model);
        if (expectedSha256 != null && !actual.equals(expectedSha256)) {
            throw new HeadRefused(HeadRefused.Reason.HASH_MISMATCH, "model sha256 " + actual + ", its event says " + expectedSha256);
        }
        trusted.verify(signature, model, cardBytes);
        ModelCard card;
        try {
            card = EventJson.mapper().readValue(cardBytes, ModelCard.class);
        } catch (IOException e) {
            throw new HeadRefused(HeadRefused.Reason.BAD_CARD, "the card is not a model card: " + e.getMessage());
        }
        if (!actual.equals(card.sha256())) {
            throw new HeadRefused(HeadRefused.Reason.HASH_MISMATCH, "model sha256 " + actual + ", its card says " + card.sha256());
        }
        Map<String, Object> p = card.properties() == null ? Map.of() : card.properties();
        int crop = within(p.get("crop"), limits.defaultCrop(), limits.maxCrop(), "crop");
        int crops = within(p.get("crops"), limits.defaultCrops(), limits.maxCrops(), "crops");
        List<String> classes = new ArrayList<>();
        if (p.get("classes") instanceof List<?> l) {
            l.forEach(c -> classes.add(String.valueOf(c)));
        }
        return new VerifiedHead(model, card, signature, crop, crops, List.copyOf(classes));
    }

    private static int within(Object value, int fallback, int max, String name) throws HeadRefused {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 1 || n.intValue() > max) {
            throw new HeadRefused(HeadRefused.Reason.BAD_CARD, "the card's " + name + " " + value + " is not a whole number in 1.."
                    + max);
        }
        return n.intValue();
    }

    private static HeadSignature signature(ObjectStore store, String cardUri) throws HeadRefused {
        byte[] bytes;
        try {
            bytes = store.get(S3Uri.parse(HeadSignature.besideCard(cardUri)), MAX_SIGNATURE_BYTES);
        } catch (StorageException e) {
            if (e.notFound()) {
                throw new HeadRefused(HeadRefused.Reason.UNSIGNED, "no " + HeadSignature.FILE_NAME + " beside its card");
            }
            throw e;
        } catch (ObjectTooLargeException e) {
            throw new HeadRefused(HeadRefused.Reason.BAD_SIGNATURE, "its signature file is too large to be one");
        }
        try {
            return EventJson.mapper().readValue(bytes, HeadSignature.class);
        } catch (IOException e) {
            throw new HeadRefused(HeadRefused.Reason.BAD_SIGNATURE, "its signature file is not a signature: " + e.getMessage());
        }
    }

    private static byte[] read(ObjectStore store, String uri, int max, String what) throws HeadRefused {
        try {
            return store.get(S3Uri.parse(uri), max);
        } catch (ObjectTooLargeException e) {
            throw new HeadRefused(HeadRefused.Reason.TOO_LARGE, "its " + what + " file is larger than " + max + " bytes");
        }
    }
}
