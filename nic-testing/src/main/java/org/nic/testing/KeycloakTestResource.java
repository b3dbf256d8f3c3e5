package org.nic.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Points the dashboard under test at a real OpenID Connect provider ({@link KeycloakProcess}), started once per test
 * JVM. The dashboard's test port is chosen here, so that the realm's redirect address names it.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    private static KeycloakProcess keycloak;
    private static int dashboardPort;

    /** The running provider (after the test resource started). */
    public static synchronized KeycloakProcess keycloak() {
        if (keycloak == null) {
            throw new IllegalStateException("KeycloakTestResource has not started");
        }
        return keycloak;
    }

    @Override
    public synchronized Map<String, String> start() {
        if (keycloak == null) {
            String home = System.getProperty(KeycloakProcess.HOME_PROPERTY);
            String realm = System.getProperty(KeycloakProcess.REALM_PROPERTY);
            if (home == null || realm == null) {
                throw new IllegalStateException(KeycloakProcess.HOME_PROPERTY + " and " + KeycloakProcess.REALM_PROPERTY
                        + " must name the Keycloak distribution and the realm file (the module's surefire configuration)");
            }
            try {
                dashboardPort = LocalS3.freePort();
                keycloak = KeycloakProcess.start(Path.of(home), Path.of(realm), "http://localhost:" + dashboardPort,
                        Duration.ofMinutes(4));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.of("quarkus.http.test-port", String.valueOf(dashboardPort),
                "quarkus.oidc.auth-server-url", keycloak.issuer(),
                "quarkus.oidc.credentials.secret", keycloak.clientSecret(),
                "quarkus.oidc.bearer.auth-server-url", keycloak.issuer());
    }

    @Override
    public void stop() {
        // Lives as long as the test JVM: a shutdown hook stops it.
    }
}
