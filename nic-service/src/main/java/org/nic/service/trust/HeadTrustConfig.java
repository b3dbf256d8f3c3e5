package org.nic.service.trust;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import org.nic.trust.TrustedKeys;
import org.nic.trust.VerifiedHead;

/**
 * Which heads a service runs ({@code nic.trust.*}, {@code NIC_TRUST_*}), a group of the configuration of every
 * service that runs heads (predictor, dashboard, trainer). Required: a service that runs heads does not start
 * without keys to check them with.
 */
public interface HeadTrustConfig {

    /**
     * PEM files of the Ed25519 public keys whose signatures are trusted on heads (the trainer's, an operator's),
     * e.g. {@code /etc/nic/trust/trainer.pub}; a file may hold several keys.
     */
    List<Path> headKeys();

    /** Largest head model file read, in bytes. */
    @WithDefault("67108864")
    int maxHeadBytes();

    /** Largest crop edge (cells) a head's card may ask for. */
    @WithDefault("1024")
    int maxCrop();

    /** Most crops per slide a head's card may ask for. */
    @WithDefault("64")
    int maxCrops();

    /** The trusted keys, read from {@link #headKeys()}; throws with the file's name when one is unreadable. */
    default TrustedKeys trustedKeys() {
        return TrustedKeys.read(headKeys());
    }

    /** The limits a head's files and card must keep, with the service's crop and crops for cards that say none. */
    default VerifiedHead.Limits limits(int defaultCrop, int defaultCrops) {
        return new VerifiedHead.Limits(maxHeadBytes(), maxCrop(), maxCrops(), defaultCrop, defaultCrops);
    }
}
