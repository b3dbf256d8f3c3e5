package org.nic.dashboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.FailureReason;
import org.nic.event.SlideArrived;
import org.nic.event.SlideFailed;
import org.nic.testing.KeycloakProcess;
import org.nic.testing.KeycloakTestResource;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;

/**
 * Who may see what, against a real OpenID Connect provider (Keycloak, as a child process): no one without logging
 * in, a role for everything, the operator's parts for operators only; tokens of another client, forged or expired tokens and
 * users without a role are refused, and each refusal is counted.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class DashboardSecurityTest {

    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TestHTTPResource("/")
    URL page;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(page.toString()).resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Accept", path.endsWith("stream") ? "text/event-stream" : "application/json");
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (path.endsWith("stream")) {
            // The stream stays open: its status and type are what the test reads.
            HttpResponse<java.io.InputStream> s = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
            s.body().close();
            return new Wrapped(s.statusCode(), s.headers(), "");
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    double refused(String outcome) {
        return metrics.find("nic.dashboard.access.refused").tag("outcome", outcome).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void withoutLoggingInThePageSendsToTheProviderAndTheApiAndStreamAnswer401() throws Exception {
        KeycloakProcess keycloak = KeycloakTestResource.keycloak();
        HttpResponse<String> pageResponse = get("/", null);
        assertThat(pageResponse.statusCode()).isEqualTo(302);
        assertThat(pageResponse.headers().firstValue("Location")).get().asString()
                .startsWith(keycloak.issuer() + "/protocol/openid-connect/auth").contains("client_id=nic-dashboard");
        assertThat(get("/slide/abc", null).statusCode()).isEqualTo(302);
        double before = refused("unauthenticated");
        assertThat(get("/api/slides", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/stream", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/models", null).statusCode()).isEqualTo(401);
        // Pixels and cells are patient data: the viewer's tiles and the QuPath export need a login like the rest.
        assertThat(get("/api/slides/any-slide/slide_files/12/0_0.jpeg", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/slides/any-slide/slide.dzi", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/slides/any-slide/export.geojson", null).statusCode()).isEqualTo(401);
        assertThat(refused("unauthenticated")).as("refusals counted").isGreaterThanOrEqualTo(before + 3);
        // Probes stay open to the orchestrator.
        assertThat(get("/q/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void viewersSeeSlidesWithoutSourcesAndOperatorsSeeEverything() throws Exception {
        KeycloakProcess keycloak = KeycloakTestResource.keycloak();
        String slide = "secure-" + System.nanoTime();
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers())) {
            events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:/data/private/patient-name.svs",
                    "scanner-9", "CASE-77", null));
            events.publish(EventType.SLIDE_FAILED, slide, new SlideFailed(slide, "tiling", FailureReason.UNOPENABLE_SLIDE,
                    "details for operators", false, "nic-tiler/1", "file:/data/private/patient-name.svs"));
        }
        String operator = keycloak.accessToken("operator", false);
        String viewer = keycloak.accessToken("viewer", false);
        JsonNode asOperator = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get("/api/slides/" + slide, operator);
            if (r.statusCode() == 200 && EventJson.mapper().readTree(r.body()).path("failures").size() > 0) {
                asOperator = EventJson.mapper().readTree(r.body());
                break;
            }
            Thread.sleep(300);
        }
        assertThat(asOperator).as("the operator's view of the slide").isNotNull();
        assertThat(asOperator.path("uri").asText()).isEqualTo("file:/data/private/patient-name.svs");
        assertThat(asOperator.path("failures").get(0).path("message").asText()).isEqualTo("details for operators");

        HttpResponse<String> viewerSlide = get("/api/slides/" + slide, viewer);
        assertThat(viewerSlide.statusCode()).isEqualTo(200);
        JsonNode asViewer = EventJson.mapper().readTree(viewerSlide.body());
        assertThat(asViewer.path("caseId").asText()).isEqualTo("CASE-77");
        assertThat(asViewer.path("failures").get(0).path("reason").asText()).isEqualTo("UNOPENABLE_SLIDE");
        assertThat(viewerSlide.body()).doesNotContain("patient-name", "details for operators", "scanner-9");
        assertThat(get("/api/slides?case=CASE-77", viewer).body()).contains(slide).doesNotContain("patient-name");
        assertThat(get("/api/heads", viewer).statusCode()).isEqualTo(200);
        assertThat(EventJson.mapper().readTree(get("/api/me", viewer).body()).path("roles").toString()).isEqualTo("[\"viewer\"]");

        double forbidden = refused("forbidden");
        // A viewer may ask for a slide's tiles: an unknown slide is 404 (not tiled), not 403.
        assertThat(get("/api/slides/no-such-slide/viewer.json", viewer).statusCode()).isEqualTo(404);
        assertThat(get("/api/models", viewer).statusCode()).as("the models view is the operator's").isEqualTo(403);
        assertThat(get("/api/dead-letters", viewer).statusCode()).isEqualTo(403);
        assertThat(refused("forbidden")).isGreaterThanOrEqualTo(forbidden + 2);
        assertThat(get("/api/models", operator).statusCode()).isEqualTo(200);
        assertThat(get("/api/dead-letters", operator).statusCode()).isEqualTo(200);
        HttpResponse<String> stream = get("/api/stream", viewer);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
    }

    @Test
    void aUserWithoutARoleATokenForAnotherClientAndAForgedTokenAreRefused() throws Exception {
        KeycloakProcess keycloak = KeycloakTestResource.keycloak();
        assertThat(get("/api/slides", keycloak.accessToken("guest", false)).statusCode()).as("no NIC role").isEqualTo(403);
        assertThat(get("/api/slides", keycloak.accessToken("viewer", true)).statusCode()).as("issued to another client")
                .isEqualTo(401);
        // The viewer's token with its claims changed to an operator's: the signature no longer holds.
        String[] parts = keycloak.accessToken("viewer", false).split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"operator\",\"viewer\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(get("/api/models", forged).statusCode()).as("a forged token").isEqualTo(401);
        assertThat(get("/api/slides", "not-a-token").statusCode()).isEqualTo(401);
    }

    @Test
    void anExpiredTokenIsRefusedAndCounted() throws Exception {
        KeycloakProcess keycloak = KeycloakTestResource.keycloak();
        String token = keycloak.shortLivedToken("viewer", 6);
        JsonNode claims = claims(token);
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).as("the token's lifespan").isEqualTo(6);
        assertThat(get("/api/slides", token).statusCode()).as("while it lives").isEqualTo(200);
        long wait = claims.get("exp").asLong() * 1000 + 1500 - System.currentTimeMillis();
        Thread.sleep(Math.max(0, wait));
        double before = refused("unauthenticated");
        assertThat(get("/api/slides", token).statusCode()).as("once expired").isEqualTo(401);
        assertThat(get("/api/stream", token).statusCode()).isEqualTo(401);
        assertThat(refused("unauthenticated")).isGreaterThanOrEqualTo(before + 2);
        // The client's lifespan is the realm's again: the next token lives minutes.
        JsonNode next = claims(keycloak.accessToken("viewer", false));
        assertThat(next.get("exp").asLong() - next.get("iat").asLong()).isGreaterThan(60);
    }

    static JsonNode claims(String token) throws Exception {
        return EventJson.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    /** A response whose body was not read (the live stream). */
    record Wrapped(int statusCode, java.net.http.HttpHeaders headers, String body) implements HttpResponse<String> {
        public HttpRequest request() {
            return null;
        }

        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        public URI uri() {
            return null;
        }

        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
