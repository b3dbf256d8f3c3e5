package org.nic.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one hash NIC names things by: model files and cards, plans, grid chunks, slide identities, held-out
 * splits and cache keys. Every JVM has the algorithm; its absence is a broken JVM, not an input error.
 */
public final class Sha256 {

    private Sha256() {
    }

    /** A fresh digest, for hashing a stream in pieces. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The 32 bytes of the hash. */
    public static byte[] of(byte[] bytes) {
        return digest().digest(bytes);
    }

    /** The hash as 64 lower-case hex digits. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(of(bytes));
    }

    /** The hash of the text's UTF-8 bytes, as 64 lower-case hex digits. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
