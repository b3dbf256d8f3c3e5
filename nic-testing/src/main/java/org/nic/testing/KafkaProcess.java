package org.nic.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node KRaft broker (Kafka's own {@code kafka.Kafka}) as a child process, on fixed ports and a
 * fixed log folder, so that it can be killed and started again with the records and offsets it held: a
 * broker restart. Runs from the classpath of the JVM that starts it (nic-testing brings the broker).
 */
public final class KafkaProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final int partitions;
    private Process process;

    private KafkaProcess(Path dir, int port, int controllerPort, int partitions) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
    }

    /** Formats a log folder under {@code dir}, starts the broker and waits until it answers. */
    public static KafkaProcess start(Path dir, int partitions) throws IOException {
        KafkaProcess kafka = new KafkaProcess(dir, LocalS3.freePort(), LocalS3.freePort(), partitions);
        kafka.format();
        kafka.start();
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    private Path config() {
        return dir.resolve("server.properties");
    }

    private void format() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(config(), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=" + partitions,
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        run(List.of("kafka.tools.StorageTool", "format", "--config", config().toString(), "--cluster-id",
                org.apache.kafka.common.Uuid.randomUuid().toString(), "--standalone"),
                dir.resolve("format.log"));
    }

    /** (Re)starts the broker on the same ports and log folder and waits until it answers. */
    public synchronized void start() throws IOException {
        if (running()) {
            return;
        }
        Path log = dir.resolve("kafka.log");
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java(), "-Xms256m", "-Xmx768m", "-cp", classpath(),
                "kafka.Kafka", config().toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildProcesses.killAtExit(process);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + ":\n" + tail(log));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
                if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                // not answering yet
            }
            ChildProcesses.pause(300);
        }
        process.destroyForcibly();
        throw new IllegalStateException("Kafka did not answer within 90 s:\n" + tail(log));
    }

    /** Kills the broker at once (SIGKILL); {@link #start()} brings it back with what it had written. */
    public synchronized void kill() {
        ChildProcesses.kill(process);
    }

    @Override
    public void close() {
        kill();
    }

    /** The classpath of this JVM: surefire's test classpath when under surefire, else java.class.path. */
    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static void run(List<String> mainAndArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java(), "-cp", classpath()));
        command.addAll(mainAndArgs);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", mainAndArgs) + " failed:\n" + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
