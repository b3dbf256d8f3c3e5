package org.nic.trust;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Who vouches for a head: an Ed25519 signature over the model file's SHA-256 and the SHA-256 of its card's
 * bytes as stored, kept beside them as {@code signature.json}. A hash checked against a card from the same
 * publisher proves only that the two agree; the signature proves who published them, checked against keys the
 * verifier trusts ({@link TrustedKeys}), not keys the publisher names.
 *
 * @param algorithm {@code Ed25519}
 * @param keyId the signing key's id ({@link TrustedKeys#keyId}): which trusted key to check it with
 * @param modelSha256 hex SHA-256 of the model file
 * @param cardSha256 hex SHA-256 of the card file's bytes
 * @param signedBy who signed (the trainer's name and version, or an operator), for people
 * @param signedAt when
 * @param signature base64 of the signature over {@link #message}
 */
public record HeadSignature(String algorithm, String keyId, String modelSha256, String cardSha256, String signedBy,
                            Instant signedAt, String signature) {

    public static final String FILE_NAME = "signature.json";
    public static final String ALGORITHM = "Ed25519";

    /** The signed bytes: a version line and both hashes, so that neither file can change alone. */
    public static byte[] message(String modelSha256, String cardSha256) {
        return ("nic-head-signature/v1\n" + modelSha256 + "\n" + cardSha256 + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature file's URI beside a card's ({@code .../card.json} to {@code .../signature.json}). */
    public static String besideCard(String cardUri) {
        int slash = cardUri.lastIndexOf('/');
        return cardUri.substring(0, slash + 1) + FILE_NAME;
    }
}
