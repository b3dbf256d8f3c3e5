package org.nic.dashboard.api;

import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which OpenID Connect configuration authenticates a request: the page's (the authorization-code flow, and bearer
 * tokens: {@code quarkus.oidc.*}) unless it is an API call with no session cookie, which takes the bearer-only one
 * ({@code quarkus.oidc.bearer.*}): a tool without a token gets 401, not the provider's login page.
 */
@ApplicationScoped
public class ApiTenantResolver implements TenantResolver {

    static final String SESSION_COOKIE = "q_session";

    @Override
    public String resolve(RoutingContext context) {
        boolean api = context.normalizedPath().startsWith("/api/");
        boolean session = context.request().cookies().stream().anyMatch(c -> c.getName().startsWith(SESSION_COOKIE));
        return api && !session ? "bearer" : null;
    }
}
