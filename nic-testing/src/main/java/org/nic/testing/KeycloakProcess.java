package org.nic.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.nic.event.EventJson;

/**
 * Keycloak's distribution (Maven Central's {@code keycloak-quarkus-dist}) as a child process on loopback, the
 * OpenID Connect provider people log in to the dashboard with: {@code kc.sh start-dev} (its dev-file database, made
 * fresh at every start) on a Java 21 or newer found beside the tests' Java, importing {@code deploy/keycloak/
 * nic-realm.json} with its client secrets and the demo users' passwords generated here, never written to the
 * repository.
 */
public final class KeycloakProcess implements AutoCloseable {

    /** System property naming the unpacked distribution (the build unpacks it into target/test-infra). */
    public static final String HOME_PROPERTY = "nictest.keycloak.home";
    /** System property naming the realm template. */
    public static final String REALM_PROPERTY = "nictest.keycloak.realm";
    public static final String REALM = "nic";
    public static final String CLIENT = "nic-dashboard";
    public static final String OTHER_CLIENT = "nic-other";
    static final String ADMIN = "nic-test-admin";

    private final Process process;
    private final int port;
    private final Map<String, String> secrets;
    private final Path log;

    private KeycloakProcess(Process process, int port, Map<String, String> secrets, Path log) {
        this.process = process;
        this.port = port;
        this.secrets = secrets;
        this.log = log;
    }

    /**
     * Starts Keycloak with the realm imported for a dashboard at {@code dashboardUrl} (its redirect address), and
     * waits until the realm's discovery document answers.
     */
    public static KeycloakProcess start(Path home, Path realm, String dashboardUrl, Duration timeout) throws IOException {
        if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("no Keycloak distribution at " + home + " (" + HOME_PROPERTY
                    + "; the build unpacks org.keycloak:keycloak-quarkus-dist)");
        }
        // A fresh database every start: the realm is imported only when it does not exist, and its secrets are new.
        deleteRecursively(home.resolve("data"));
        Path imports = Files.createDirectories(home.resolve("data/import"));
        Files.copy(realm, imports.resolve("nic-realm.json"));
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String name : List.of("NIC_OIDC_CLIENT_SECRET", "NIC_OIDC_OTHER_SECRET", "NIC_OIDC_VIEWER_PASSWORD",
                "NIC_OIDC_OPERATOR_PASSWORD", "NIC_OIDC_GUEST_PASSWORD", "KC_BOOTSTRAP_ADMIN_PASSWORD")) {
            secrets.put(name, secret());
        }
        int port = LocalS3.freePort();
        Path log = Files.createTempFile("nic-keycloak", ".log");
        List<String> command = new ArrayList<>(List.of("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + LocalS3.freePort(),
                "--import-realm"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", javaHome(21).toString());
        pb.environment().put("NIC_DASHBOARD_URL", dashboardUrl);
        pb.environment().putAll(secrets);
        // A temporary administrator (master realm) for tests that change the realm while it runs; its password is
        // generated like the others.
        pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
        Process process = pb.start();
        ChildProcesses.killAtExit(process);
        KeycloakProcess kc = new KeycloakProcess(process, port, Map.copyOf(secrets), log);
        kc.awaitReady(timeout);
        return kc;
    }

    /** The realm's issuer, e.g. {@code http://127.0.0.1:port/realms/nic}: what {@code quarkus.oidc.auth-server-url} names. */
    public String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    public String clientSecret() {
        return secrets.get("NIC_OIDC_CLIENT_SECRET");
    }

    /** A demo user's generated password: {@code viewer}, {@code operator} or {@code guest} (no role). */
    public String password(String user) {
        return secrets.get("NIC_OIDC_" + user.toUpperCase(java.util.Locale.ROOT) + "_PASSWORD");
    }

    /** An access token for a demo user, issued to the dashboard's client (or, {@code other}, to another client). */
    public String accessToken(String user, boolean other) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", other ? OTHER_CLIENT : CLIENT);
        form.put("client_secret", other ? secrets.get("NIC_OIDC_OTHER_SECRET") : clientSecret());
        form.put("username", user);
        form.put("password", password(user));
        form.put("scope", "openid");
        return token(URI.create(issuer() + "/protocol/openid-connect/token"), form);
    }

    /**
     * An access token for a demo user, issued to the dashboard's client, that expires {@code seconds} after it is
     * issued: the client's token lifespan is set through the admin API for this one token, then cleared (the realm's
     * default again).
     */
    public String shortLivedToken(String user, int seconds) {
        String admin = token(URI.create("http://127.0.0.1:" + port + "/realms/master/protocol/openid-connect/token"),
                Map.of("grant_type", "password", "client_id", "admin-cli", "username", ADMIN, "password",
                        secrets.get("KC_BOOTSTRAP_ADMIN_PASSWORD")));
        URI clients = URI.create("http://127.0.0.1:" + port + "/admin/realms/" + REALM + "/clients");
        try {
            JsonNode client = EventJson.mapper().readTree(send(HttpRequest.newBuilder(URI.create(clients + "?clientId=" + CLIENT))
                    .header("Authorization", "Bearer " + admin).GET().build(), 200)).get(0);
            URI self = URI.create(clients + "/" + client.get("id").asText());
            ((com.fasterxml.jackson.databind.node.ObjectNode) client.with("attributes")).put("access.token.lifespan",
                    String.valueOf(seconds));
            send(HttpRequest.newBuilder(self).header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(EventJson.mapper().writeValueAsBytes(client))).build(), 204);
            try {
                return accessToken(user, false);
            } finally {
                ((com.fasterxml.jackson.databind.node.ObjectNode) client.with("attributes")).put("access.token.lifespan", "");
                send(HttpRequest.newBuilder(self).header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(EventJson.mapper().writeValueAsBytes(client))).build(), 204);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String token(URI endpoint, Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        try {
            String answer = send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), 200);
            return EventJson.mapper().readTree(answer).get("access_token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException(request.method() + " " + request.uri().getPath() + ": " + r.statusCode() + " "
                        + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited:\n" + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            ChildProcesses.pause(500);
        }
        close();
        throw new IllegalStateException("Keycloak's realm " + REALM + " did not answer within " + timeout + ":\n" + log());
    }

    /**
     * A JDK of at least {@code version} to run Keycloak with: {@code NIC_KEYCLOAK_JAVA_HOME}, the tests' own when new
     * enough, else the newest under /usr/lib/jvm (Debian's JDK 17 is the default there; a newer one is installed beside).
     */
    public static Path javaHome(int version) {
        String configured = System.getenv("NIC_KEYCLOAK_JAVA_HOME");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        if (Runtime.version().feature() >= version) {
            return Path.of(System.getProperty("java.home"));
        }
        Path best = null;
        int bestVersion = 0;
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks.toList()) {
                int v = featureVersion(jdk);
                if (v >= version && v > bestVersion && Files.isExecutable(jdk.resolve("bin/java"))) {
                    best = jdk;
                    bestVersion = v;
                }
            }
        } catch (IOException e) {
            // no /usr/lib/jvm: fall through
        }
        if (best == null) {
            throw new IllegalStateException("Keycloak needs Java " + version + " or newer: none under /usr/lib/jvm; set "
                    + "NIC_KEYCLOAK_JAVA_HOME");
        }
        return best;
    }

    /** The feature version a JDK's {@code release} file states (JAVA_VERSION="25.0.1"), 0 when it says none. */
    static int featureVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        ChildProcesses.kill(process);
    }
}
