package org.nic.hash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Against the test vectors of FIPS 180-2 (appendix B), as coreutils' sha256sum computes them. */
class Sha256Test {

    @Test
    void theStandardsVectors() {
        assertThat(Sha256.hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assertThat(Sha256.hex(new byte[0])).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void bytesTextAndStreamAgree() {
        byte[] bytes = "a slide id".getBytes(StandardCharsets.UTF_8);
        var digest = Sha256.digest();
        digest.update(bytes, 0, 3);
        digest.update(bytes, 3, bytes.length - 3);
        assertThat(java.util.HexFormat.of().formatHex(digest.digest())).isEqualTo(Sha256.hex(bytes)).isEqualTo(Sha256.hex("a slide id"));
        assertThat(Sha256.of(bytes)).hasSize(32);
    }
}
