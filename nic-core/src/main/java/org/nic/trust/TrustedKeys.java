package org.nic.trust;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nic.hash.Sha256;

/**
 * The public keys whose signatures a service accepts on heads: the site's list (a ConfigMap, local files), not
 * keys named by whoever publishes a head.
 */
public final class TrustedKeys {

    private final Map<String, PublicKey> keys;

    private TrustedKeys(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    /**
     * Every PUBLIC KEY block of the files (a file may hold several; a folder stands for its visible files, as a
     * mounted ConfigMap). At least one key, or it throws.
     */
    public static TrustedKeys read(List<Path> paths) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (Path file : files(paths)) {
            List<byte[]> blocks = Pem.blocks(Pem.read(file), "PUBLIC KEY");
            if (blocks.isEmpty()) {
                throw new IllegalArgumentException("trusted key file " + file.getFileName() + " holds no PUBLIC KEY block");
            }
            for (byte[] der : blocks) {
                PublicKey key = publicKey(der, file);
                keys.put(keyId(key), key);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no trusted keys: list at least one public key file (nic.trust.head-keys)");
        }
        return new TrustedKeys(keys);
    }

    private static List<Path> files(List<Path> paths) {
        List<Path> files = new java.util.ArrayList<>();
        for (Path p : paths) {
            if (java.nio.file.Files.isDirectory(p)) {
                try (var list = java.nio.file.Files.list(p)) {
                    list.filter(f -> !f.getFileName().toString().startsWith(".") && java.nio.file.Files.isRegularFile(f))
                            .sorted().forEach(files::add);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot list trusted key folder " + p.getFileName(), e);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    public static TrustedKeys of(PublicKey... trusted) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (PublicKey k : trusted) {
            keys.put(keyId(k), k);
        }
        return new TrustedKeys(keys);
    }

    /** A key's id: the first 16 hex digits of the SHA-256 of its X.509 encoding. */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    public java.util.Set<String> ids() {
        return keys.keySet();
    }

    /**
     * Checks a head's signature against its model and card bytes as read.
     *
     * @throws HeadRefused when the signature is missing or malformed, names a key not trusted here, does not verify,
     *     or was made over other files
     */
    public void verify(HeadSignature signature, byte[] model, byte[] card) throws HeadRefused {
        if (signature == null || signature.signature() == null || signature.keyId() == null) {
            throw new HeadRefused(HeadRefused.Reason.UNSIGNED, "the head carries no signature");
        }
        if (!HeadSignature.ALGORITHM.equals(signature.algorithm())) {
            throw new HeadRefused(HeadRefused.Reason.BAD_SIGNATURE, "signature algorithm " + signature.algorithm()
                    + " is not " + HeadSignature.ALGORITHM);
        }
        PublicKey key = keys.get(signature.keyId());
        if (key == null) {
            throw new HeadRefused(HeadRefused.Reason.UNKNOWN_KEY, "signed by key " + signature.keyId()
                    + ", which is not among the trusted keys " + keys.keySet());
        }
        String modelSha = Sha256.hex(model);
        String cardSha = Sha256.hex(card);
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature.signature());
        } catch (IllegalArgumentException e) {
            throw new HeadRefused(HeadRefused.Reason.BAD_SIGNATURE, "the signature is not base64");
        }
        if (!verifies(key, HeadSignature.message(modelSha, cardSha), sig)) {
            throw new HeadRefused(HeadRefused.Reason.BAD_SIGNATURE, "the signature of key " + signature.keyId()
                    + " does not verify over the model and card as stored (changed after signing?)");
        }
    }

    static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(HeadSignature.ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is one that does not verify
        }
    }

    private static PublicKey publicKey(byte[] der, Path file) {
        try {
            return KeyFactory.getInstance(HeadSignature.ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trusted key file " + file.getFileName() + " holds a key that is not Ed25519", e);
        }
    }
}
