package org.nic.predictor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import org.nic.service.trust.HeadTrustConfig;

/**
 * Every setting of the predictor. Keys are {@code nic.*}; environment variables {@code NIC_*}. Object
 * storage is {@link org.nic.service.storage.StorageConfig}, shared by all services.
 */
@ConfigMapping(prefix = "nic")
public interface PredictorConfig {

    /** Prediction. */
    Predictor predictor();

    /** Which heads it runs: signed by a trusted key, within limits. */
    HeadTrustConfig trust();

    interface Predictor {
        /** Crops averaged per slide when a head's card does not say. */
        @WithDefault("10")
        int crops();

        /** Crop edge in cells when a head's card does not say. */
        @WithDefault("400")
        int crop();
    }
}
