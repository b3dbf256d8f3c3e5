package org.nic.encoder.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.nic.encoder.config.EncoderConfig;

/** The encoder is not ready to take slides until its default encoder is loaded. */
@Readiness
@ApplicationScoped
public class EncoderReadiness implements HealthCheck {

    private final EncoderRegistry registry;
    private final String id;

    public EncoderReadiness(EncoderRegistry registry, EncoderConfig config) {
        this.registry = registry;
        this.id = config.encoder().defaultId();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("encoder-model").status(registry.defaultLoaded()).withData("encoder", id).build();
    }
}
