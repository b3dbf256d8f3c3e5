package org.nic.service.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.nic.slide.OpenSlideReader;

/** The tiler cannot read a slide without the OpenSlide library: not live without it. */
@Liveness
@ApplicationScoped
public class OpenSlideHealthCheck implements HealthCheck {

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
