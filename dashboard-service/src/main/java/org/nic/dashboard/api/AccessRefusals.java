package org.nic.dashboard.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Every refused request, counted ({@code nic.dashboard.access.refused{outcome=unauthenticated|forbidden}}) and logged
 * once: the path and, for a known person, their name; never a token.
 */
@ApplicationScoped
public class AccessRefusals {

    private static final Logger LOG = Logger.getLogger(AccessRefusals.class);

    private final MeterRegistry metrics;

    public AccessRefusals(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    void authentication(@Observes AuthenticationFailureEvent event) {
        refused("unauthenticated", null, event.getEventProperties(), event.getAuthenticationFailure());
    }

    void authorization(@Observes AuthorizationFailureEvent event) {
        SecurityIdentity who = event.getSecurityIdentity();
        boolean anonymous = who == null || who.isAnonymous();
        refused(anonymous ? "unauthenticated" : "forbidden", anonymous ? null : who.getPrincipal().getName(),
                event.getEventProperties(), event.getAuthorizationFailure());
    }

    private void refused(String outcome, String who, Map<String, Object> properties, Throwable why) {
        metrics.counter("nic.dashboard.access.refused", "outcome", outcome).increment();
        String path = properties == null ? null : properties.values().stream().filter(RoutingContext.class::isInstance)
                .map(v -> ((RoutingContext) v).normalizedPath()).findFirst().orElse(null);
        LOG.infof("access refused (%s)%s%s: %s", outcome, path == null ? "" : " to " + path, who == null ? "" : " for " + who,
                why == null ? "" : why.getClass().getSimpleName());
    }
}
