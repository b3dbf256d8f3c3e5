package org.nic.encoder.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the encoder service. Keys are {@code nic.*}; environment variables {@code NIC_*}. Object
 * storage is {@link org.nic.service.storage.StorageConfig}, shared by all services.
 */
@ConfigMapping(prefix = "nic")
public interface EncoderConfig {

    /** Where slides may be read from (same rules as the tiler). */
    org.nic.service.source.SourcesConfig sources();

    /** The encoder and the pipeline around it. */
    Encoder encoder();

    interface Encoder {
        /** Encoder id used when an event names none; shipped in the service and uploaded when missing. */
        @WithDefault("mtl-nic-v2")
        String defaultId();

        /** {@code auto} (CUDA when it loads, else CPU), {@code cpu}, or {@code cuda:N}. */
        @WithDefault("auto")
        String device();

        /** ONNX Runtime intra-op threads on CPU; 0 = one per core. */
        @WithDefault("0")
        int threads();

        /** Slide reader threads; 0 = one per core. */
        @WithDefault("0")
        int readers();

        /** Patches per ONNX Runtime call. */
        @WithDefault("64")
        int batchSize();

        /** Patches read ahead of the encoder. */
        @WithDefault("256")
        int queueCapacity();

        /** Grid cells along each side of a stored chunk (chunks are C x n x n). */
        @WithDefault("32")
        int chunkCells();

        /**
         * 1, or 8 to also encode the slide in the 7 other orientations of the paper (quarter turns and flips,
         * pixels and grid positions alike), each as an array {@code codes-orientation-<o>} beside {@code codes}.
         */
        @WithDefault("1")
        int orientations();

        /** Milliseconds between progress events of one slide. */
        @WithDefault("1000")
        long progressIntervalMillis();
    }
}
