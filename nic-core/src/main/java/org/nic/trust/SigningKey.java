package org.nic.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.nic.hash.Sha256;

/**
 * A publisher's Ed25519 key (the trainer's, an operator's): one PEM file holding the PKCS#8 private key and
 * its public key (the JDK cannot derive one from the other), made by {@link #generate} and handed to the
 * publisher as a secret. Its public half, alone in a file of its own, is what verifiers list as trusted.
 */
public final class SigningKey {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = TrustedKeys.keyId(publicKey);
    }

    /** Reads a key file written by {@link #generate}; the message names the file only by its name. */
    public static SigningKey read(Path file) {
        String text = Pem.read(file);
        List<byte[]> priv = Pem.blocks(text, "PRIVATE KEY");
        List<byte[]> pub = Pem.blocks(text, "PUBLIC KEY");
        if (priv.size() != 1 || pub.size() != 1) {
            throw new IllegalArgumentException("signing key file " + file.getFileName()
                    + " must hold one PRIVATE KEY and one PUBLIC KEY block (nic keys generate writes it)");
        }
        try {
            KeyFactory kf = KeyFactory.getInstance(HeadSignature.ALGORITHM);
            SigningKey key = new SigningKey(kf.generatePrivate(new PKCS8EncodedKeySpec(priv.get(0))),
                    kf.generatePublic(new X509EncodedKeySpec(pub.get(0))));
            // The two halves must belong together, or every head it signs would be refused downstream.
            byte[] probe = "nic-key-check".getBytes(StandardCharsets.US_ASCII);
            if (!TrustedKeys.verifies(key.publicKey, probe, key.signBytes(probe))) {
                throw new IllegalArgumentException("signing key file " + file.getFileName()
                        + ": its private and public keys are not one pair");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("signing key file " + file.getFileName() + " is not an Ed25519 key: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Makes a new key pair: {@code privateFile} (private and public key, owner-only permissions where the file
     * system has them) and {@code publicFile} (the public key, to list as trusted).
     */
    public static void generate(Path privateFile, Path publicFile) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(HeadSignature.ALGORITHM).generateKeyPair();
            String pub = Pem.block("PUBLIC KEY", pair.getPublic().getEncoded());
            if (privateFile.getParent() != null) {
                Files.createDirectories(privateFile.getParent());
            }
            if (publicFile.getParent() != null) {
                Files.createDirectories(publicFile.getParent());
            }
            Files.deleteIfExists(privateFile);
            Files.createFile(privateFile);
            try {
                Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: its own access rules apply
            }
            Files.writeString(privateFile, Pem.block("PRIVATE KEY", pair.getPrivate().getEncoded()) + pub,
                    StandardCharsets.US_ASCII);
            Files.writeString(publicFile, pub, StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key files", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Signs a head: its model file's bytes and its card file's bytes, exactly as stored. */
    public HeadSignature sign(byte[] model, byte[] card, String signedBy) {
        String modelSha = Sha256.hex(model);
        String cardSha = Sha256.hex(card);
        return new HeadSignature(HeadSignature.ALGORITHM, keyId, modelSha, cardSha, signedBy, Instant.now(),
                Base64.getEncoder().encodeToString(signBytes(HeadSignature.message(modelSha, cardSha))));
    }

    private byte[] signBytes(byte[] message) {
        try {
            Signature s = Signature.getInstance(HeadSignature.ALGORITHM);
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + keyId, e);
        }
    }
}
