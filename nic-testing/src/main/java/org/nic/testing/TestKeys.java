package org.nic.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nic.trust.SigningKey;

/**
 * The tests' head-signing key, made once per test JVM as a site would make the trainer's: the trainer signs with
 * it, the predictor and dashboard trust its public half. Tests that need an untrusted key make one of their own.
 */
public final class TestKeys {

    private static Path dir;

    private TestKeys() {
    }

    private static synchronized Path dir() {
        if (dir == null) {
            try {
                Path d = Files.createTempDirectory("nic-test-keys");
                SigningKey.generate(d.resolve("trainer.key"), d.resolve("trainer.pub"));
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** The signing key file (private and public key). */
    public static Path signingKey() {
        return dir().resolve("trainer.key");
    }

    /** The public key file that services trust. */
    public static Path trustedKeys() {
        return dir().resolve("trainer.pub");
    }

    public static SigningKey key() {
        return SigningKey.read(signingKey());
    }

    /** The trust settings a service needs, by module: heads' keys for those that run heads, the signing key for the trainer. */
    public static Map<String, String> settingsFor(String module) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (module.startsWith("predictor") || module.startsWith("dashboard") || module.startsWith("trainer")) {
            settings.put("nic.trust.head-keys", trustedKeys().toString());
        }
        if (module.startsWith("trainer")) {
            settings.put("nic.trainer.signing-key", signingKey().toString());
        }
        return settings;
    }
}
