package org.nic.encoder.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.Readiness;
import org.nic.service.health.OpenSlideHealthCheck;

/** Not ready to read slides without the OpenSlide library. */
@Readiness
@ApplicationScoped
public class OpenSlideReadiness extends OpenSlideHealthCheck {
}
