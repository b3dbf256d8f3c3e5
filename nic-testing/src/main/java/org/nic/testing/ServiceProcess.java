package org.nic.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A NIC service, run from its built fast-jar as a child process against a broker and store: for tests that
 * need several services at once (labels -> trainer -> predictor) or that kill one ({@link #kill()} is a
 * SIGKILL, {@link #restart()} starts it again with the same settings). Close it to stop it.
 */
public final class ServiceProcess implements AutoCloseable {

    /** Where a service finds the broker and the store. */
    /**
     * @param kafkaLogin a principal's Kafka client settings (by principal: {@code nic-tiler}, ...), none for a plaintext broker
     */
    public record Infrastructure(String kafkaBootstrap, String s3Endpoint, String s3AccessKey, String s3SecretKey,
                                 String bucket, java.util.function.Function<String, Map<String, String>> kafkaLogin) {

        /** A plaintext broker. */
        public Infrastructure(String kafkaBootstrap, String s3Endpoint, String s3AccessKey, String s3SecretKey, String bucket) {
            this(kafkaBootstrap, s3Endpoint, s3AccessKey, s3SecretKey, bucket, principal -> Map.of());
        }

        /** The tests' shared broker and store ({@link NicTestInfrastructure}). */
        public static Infrastructure shared() {
            return new Infrastructure(NicTestInfrastructure.kafkaBootstrapServers(), NicTestInfrastructure.s3Endpoint(),
                    NicTestInfrastructure.s3AccessKey(), NicTestInfrastructure.s3SecretKey(), NicTestInfrastructure.BUCKET,
                    NicTestInfrastructure::kafkaSettings);
        }
    }

    /** The Kafka principal a module runs as: {@code tiler-service} is {@code nic-tiler} (deploy/k8s/base/users.yaml). */
    public static String principal(String module) {
        return "nic-" + module.replace("-service", "");
    }

    private final String module;
    private final List<String> command;
    private final int port;
    private final Path log;
    private final Duration timeout;
    private Process process;

    private ServiceProcess(String module, List<String> command, int port, Path log, Duration timeout) {
        this.module = module;
        this.command = command;
        this.port = port;
        this.log = log;
        this.timeout = timeout;
    }

    /**
     * Starts {@code <module>/target/quarkus-app/quarkus-run.jar} (the module a sibling of the working folder,
     * or inside it) against the tests' shared broker and store, and waits until it is ready.
     *
     * @param config extra {@code -D} settings
     */
    public static ServiceProcess start(String module, Map<String, String> config, Duration timeout) throws IOException {
        return start(module, Infrastructure.shared(), config, timeout);
    }

    /** As {@link #start(String, Map, Duration)}, against the given broker and store. */
    public static ServiceProcess start(String module, Infrastructure infra, Map<String, String> config, Duration timeout)
            throws IOException {
        Path jar = jar(module);
        int port = LocalS3.freePort();
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java(), "-Xmx1g", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + infra.kafkaBootstrap(),
                "-Dnic.storage.endpoint=" + infra.s3Endpoint(),
                "-Dnic.storage.access-key=" + infra.s3AccessKey(),
                "-Dnic.storage.secret-key=" + infra.s3SecretKey(),
                "-Dnic.storage.bucket=" + infra.bucket()));
        infra.kafkaLogin().apply(principal(module)).forEach((k, v) -> command.add("-Dkafka." + k + "=" + v));
        TestKeys.settingsFor(module).forEach((k, v) -> {
            if (!config.containsKey(k)) {
                command.add("-D" + k + "=" + v);
            }
        });
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        ServiceProcess service = new ServiceProcess(module, List.copyOf(command), port,
                Files.createTempFile("nic-" + module, ".log"), timeout);
        service.launch();
        return service;
    }

    private static Path jar(String module) {
        for (Path base : List.of(Path.of(".."), Path.of("."))) {
            Path jar = base.resolve(module).resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath().normalize();
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException(module + "/target/quarkus-app/quarkus-run.jar is missing: build " + module
                + " first (mvn package runs before its tests)");
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildProcesses.killAtExit(process);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited:\n" + Files.readString(log));
            }
            if (ready()) {
                return;
            }
            ChildProcesses.pause(250);
        }
        close();
        throw new IllegalStateException(module + " was not ready within " + timeout + ":\n" + Files.readString(log));
    }

    /** Whether {@code /q/health/ready} answers 200. */
    public boolean ready() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url("/q/health/ready")).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The service's HTTP address for {@code path}, e.g. {@code /q/metrics}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String module() {
        return module;
    }

    /** The process id of the service's JVM (what the encoder records as the writer of a grid's chunks). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** What the service logged so far (every run of it, when restarted). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Kills the service at once (SIGKILL, as {@code kill -9}): no shutdown hook, no offset commit, no cleanup. */
    public void kill() {
        ChildProcesses.kill(process);
    }

    /** Starts the service again with the same settings and port, and waits until it is ready. */
    public void restart() throws IOException {
        if (alive()) {
            kill();
        }
        launch();
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
