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

/**
 * Another NIC service, run from its built fast-jar as a child process against the test broker and store:
 * for tests that need two services at once (labels -> trainer -> predictor). Close it to stop it.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code ../<module>/target/quarkus-app/quarkus-run.jar} and waits until it is ready.
     *
     * @param config extra {@code -D} settings
     */
    public static ServiceProcess start(String module, Map<String, String> config, Duration timeout) throws IOException {
        Path jar = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build " + module + " first (mvn package runs before its tests)");
        }
        int port = LocalS3.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + NicTestInfrastructure.kafkaBootstrapServers(),
                "-Dnic.storage.endpoint=" + NicTestInfrastructure.s3Endpoint(),
                "-Dnic.storage.access-key=" + NicTestInfrastructure.s3AccessKey(),
                "-Dnic.storage.secret-key=" + NicTestInfrastructure.s3SecretKey(),
                "-Dnic.storage.bucket=" + NicTestInfrastructure.BUCKET));
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        Path log = Files.createTempFile("nic-" + module, ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess service = new ServiceProcess(process, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited:\n" + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready").toURL()
                        .openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 200) {
                    return service;
                }
            } catch (IOException e) {
                // not up yet
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        service.close();
        throw new IllegalStateException(module + " was not ready within " + timeout + ":\n" + Files.readString(log));
    }

    /** What the service logged so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
