package org.nic.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A head's signature verifies only against a trusted key and only over the files it was made on. */
class HeadSignatureTest {

    @TempDir
    Path dir;

    final byte[] model = "onnx bytes".getBytes(StandardCharsets.UTF_8);
    final byte[] card = "{\"sha256\":\"abc\"}".getBytes(StandardCharsets.UTF_8);

    SigningKey key(String name) {
        SigningKey.generate(dir.resolve(name + ".key"), dir.resolve(name + ".pub"));
        return SigningKey.read(dir.resolve(name + ".key"));
    }

    @Test
    void aSignatureByATrustedKeyVerifiesAndNamesTheKey() throws Exception {
        SigningKey trainer = key("trainer");
        TrustedKeys trusted = TrustedKeys.read(List.of(dir.resolve("trainer.pub")));
        HeadSignature signature = trainer.sign(model, card, "nic-trainer/1");
        trusted.verify(signature, model, card);
        assertThat(signature.keyId()).isEqualTo(trainer.keyId()).hasSize(16);
        assertThat(trusted.ids()).containsExactly(trainer.keyId());
    }

    @Test
    void unsignedUnknownKeyAndChangedFilesAreRefusedEachForItsReason() {
        SigningKey trainer = key("trainer");
        SigningKey stranger = key("stranger");
        TrustedKeys trusted = TrustedKeys.read(List.of(dir.resolve("trainer.pub")));
        HeadSignature good = trainer.sign(model, card, "nic-trainer/1");

        assertThatThrownBy(() -> trusted.verify(null, model, card)).isInstanceOfSatisfying(HeadRefused.class,
                e -> assertThat(e.reason()).isEqualTo(HeadRefused.Reason.UNSIGNED));
        assertThatThrownBy(() -> trusted.verify(stranger.sign(model, card, "someone"), model, card))
                .isInstanceOfSatisfying(HeadRefused.class, e -> assertThat(e.tag()).isEqualTo("unknown-key"));
        byte[] otherCard = "{\"sha256\":\"abd\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> trusted.verify(good, model, otherCard)).isInstanceOfSatisfying(HeadRefused.class,
                e -> assertThat(e.reason()).isEqualTo(HeadRefused.Reason.BAD_SIGNATURE));
        byte[] otherModel = "onnx bytez".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> trusted.verify(good, otherModel, card)).isInstanceOfSatisfying(HeadRefused.class,
                e -> assertThat(e.reason()).isEqualTo(HeadRefused.Reason.BAD_SIGNATURE));
        // A stranger's signature relabelled with the trusted key's id does not verify either.
        HeadSignature forged = new HeadSignature(good.algorithm(), trainer.keyId(), good.modelSha256(), good.cardSha256(),
                good.signedBy(), good.signedAt(), stranger.sign(model, card, "x").signature());
        assertThatThrownBy(() -> trusted.verify(forged, model, card)).isInstanceOfSatisfying(HeadRefused.class,
                e -> assertThat(e.reason()).isEqualTo(HeadRefused.Reason.BAD_SIGNATURE));
    }

    @Test
    void severalTrustedKeysFilesAndBadKeyFilesSayWhichFile() throws Exception {
        SigningKey a = key("a");
        SigningKey b = key("b");
        Path both = dir.resolve("both.pub");
        Files.writeString(both, Files.readString(dir.resolve("a.pub")) + Files.readString(dir.resolve("b.pub")));
        TrustedKeys trusted = TrustedKeys.read(List.of(both));
        assertThat(trusted.ids()).containsExactlyInAnyOrder(a.keyId(), b.keyId());
        trusted.verify(b.sign(model, card, "b"), model, card);

        // A folder (a mounted ConfigMap) stands for its visible files.
        Path folder = Files.createDirectories(dir.resolve("trust"));
        Files.copy(dir.resolve("a.pub"), folder.resolve("a.pub"));
        Files.copy(dir.resolve("b.pub"), folder.resolve("b.pub"));
        Files.writeString(folder.resolve(".hidden"), "not a key");
        assertThat(TrustedKeys.read(List.of(folder)).ids()).containsExactlyInAnyOrder(a.keyId(), b.keyId());

        Path empty = Files.writeString(dir.resolve("empty.pub"), "not a key");
        assertThatThrownBy(() -> TrustedKeys.read(List.of(empty))).hasMessageContaining("empty.pub");
        assertThatThrownBy(() -> TrustedKeys.read(List.of())).hasMessageContaining("no trusted keys");
        // A public key file is not a signing key.
        assertThatThrownBy(() -> SigningKey.read(dir.resolve("a.pub"))).hasMessageContaining("PRIVATE KEY");
    }

    @Test
    void theSigningKeyFileIsOwnerOnlyAndItsHalvesMustMatch() throws Exception {
        key("t");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("t.key"))))
                .isEqualTo("rw-------");
        key("u");
        // The private key of one pair with the public key of another.
        String t = Files.readString(dir.resolve("t.key"));
        String mixed = t.substring(0, t.indexOf("-----BEGIN PUBLIC KEY")) + Files.readString(dir.resolve("u.pub"));
        Path mixedFile = Files.writeString(dir.resolve("mixed.key"), mixed);
        assertThatThrownBy(() -> SigningKey.read(mixedFile)).hasMessageContaining("not one pair");
    }
}
