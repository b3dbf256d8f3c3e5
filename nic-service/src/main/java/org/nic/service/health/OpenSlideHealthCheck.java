package org.nic.service.health;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.nic.slide.OpenSlideReader;

/**
 * A service that reads slides cannot work without the OpenSlide library. Not a bean here: the services that
 * read slides (tiler, encoder) declare it as a readiness check of their own, and only they.
 */
public abstract class OpenSlideHealthCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        boolean available = OpenSlideReader.isAvailable();
        var response = HealthCheckResponse.named("openslide").status(available);
        if (available) {
            response.withData("version", OpenSlideReader.libraryVersion());
        }
        return response.build();
    }
}
