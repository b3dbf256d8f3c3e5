package org.nic.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.nic.cli.KafkaAccess;
import org.nic.cli.KafkaTls;

/**
 * A real single-node KRaft broker (Kafka's own {@code kafka.Kafka}) as a child process, on fixed ports and a
 * fixed log folder, so that it can be killed and started again with the records and offsets it held: a
 * broker restart. Runs from the classpath of the JVM that starts it (nic-testing brings the broker).
 * <p>{@link #startSecure}: as NIC runs in production, TLS (a CA of its own, {@link KafkaTls}) and SCRAM-SHA-512 logins
 * on its one client listener, KRaft's StandardAuthorizer, every principal of deploy/k8s's users.yaml with a generated
 * password and its ACLs, the topics of topics.yaml made up front (none on use), and a super user {@code admin} for the
 * tests' own clients.
 */
public final class KafkaProcess implements KafkaBrokers {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final int partitions;
    private final Map<String, String> passwords;
    private final KafkaTls.Material tls;
    /** This node's id in its cluster (1 alone). */
    private final int nodeId;
    /** A cluster's static controller quorum ({@code id@host:port,...}); null for a node alone. */
    private final String voters;
    private final int replicationFactor;
    private Process process;

    private KafkaProcess(Path dir, int port, int controllerPort, int partitions, Map<String, String> passwords,
                         KafkaTls.Material tls) {
        this(dir, port, controllerPort, partitions, passwords, tls, 1, null, 1);
    }

    private KafkaProcess(Path dir, int port, int controllerPort, int partitions, Map<String, String> passwords,
                         KafkaTls.Material tls, int nodeId, String voters, int replicationFactor) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
        this.passwords = passwords;
        this.tls = tls;
        this.nodeId = nodeId;
        this.voters = voters;
        this.replicationFactor = replicationFactor;
    }

    /**
     * The nodes of a plaintext KRaft cluster, each broker and controller (a static quorum of all of them), formatted
     * with one cluster id under {@code dir/node-<id>}, not started: {@link KafkaCluster} starts them together (a node
     * answers only once a majority of the quorum is up).
     */
    static List<KafkaProcess> clusterNodes(Path dir, int nodes, int partitions) throws IOException {
        return clusterNodes(dir, nodes, partitions, Map.of(), null);
    }

    /**
     * As {@link #clusterNodes(Path, int, int)}; with {@code tls} and {@code passwords}, secured like
     * {@link #startSecure}: TLS and SCRAM on the client and inter-broker listener of every node (one certificate for
     * all: every node is 127.0.0.1), the principals' SCRAM credentials formatted into each node's storage, ACLs on.
     */
    static List<KafkaProcess> clusterNodes(Path dir, int nodes, int partitions, Map<String, String> passwords,
                                           KafkaTls.Material tls) throws IOException {
        int[] ports = new int[nodes];
        int[] controllerPorts = new int[nodes];
        List<String> quorum = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ports[i] = LocalS3.freePort();
            controllerPorts[i] = LocalS3.freePort();
            quorum.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
        }
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        List<KafkaProcess> out = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            KafkaProcess node = new KafkaProcess(Files.createDirectories(dir.resolve("node-" + (i + 1))), ports[i],
                    controllerPorts[i], partitions, Map.copyOf(passwords), tls, i + 1, String.join(",", quorum), Math.min(3, nodes));
            if (node.secure()) {
                node.writePrincipals();
            }
            node.format(clusterId);
            out.add(node);
        }
        return out;
    }

    public int nodeId() {
        return nodeId;
    }

    /** Formats a log folder under {@code dir}, starts the broker (plaintext, topics made on use) and waits until it answers. */
    public static KafkaProcess start(Path dir, int partitions) throws IOException {
        KafkaProcess kafka = new KafkaProcess(dir, LocalS3.freePort(), LocalS3.freePort(), partitions, Map.of(), null);
        kafka.format(org.apache.kafka.common.Uuid.randomUuid().toString());
        kafka.start();
        return kafka;
    }

    /**
     * A secured broker: TLS and SCRAM logins, ACLs and topics as deploy/k8s declares them ({@code users.yaml},
     * {@code topics.yaml} of {@code k8sBase}), passwords generated here.
     */
    public static KafkaProcess startSecure(Path dir, Path k8sBase) throws IOException {
        List<KafkaAccess.User> users = KafkaAccess.users(k8sBase.resolve("users.yaml"));
        Map<String, String> passwords = passwords(users);
        KafkaProcess kafka = new KafkaProcess(dir, LocalS3.freePort(), LocalS3.freePort(), 1, Map.copyOf(passwords),
                KafkaTls.ensure(dir.resolve("tls")));
        kafka.writePrincipals();
        kafka.format(org.apache.kafka.common.Uuid.randomUuid().toString());
        kafka.start();
        try (Admin admin = Admin.create(kafka.adminSettings())) {
            KafkaAccess.apply(admin, KafkaAccess.topics(k8sBase.resolve("topics.yaml")), users, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("could not give the broker NIC's topics and ACLs", e.getCause());
        }
        return kafka;
    }

    @Override
    public boolean secure() {
        return tls != null;
    }

    @Override
    public Map<String, String> clientSettings(String principal) {
        if (!secure()) {
            return Map.of();
        }
        String password = passwords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException("no principal " + principal + " on this broker: " + passwords.keySet());
        }
        return KafkaAccess.client(principal, password, tls.caCertificate());
    }

    /** The principals' passwords, {@code name=password} lines (owner-only): what {@link #clientSettings(Path, Path, String)} reads. */
    public Path principalsFile() {
        return dir.resolve("principals.properties");
    }

    private void writePrincipals() throws IOException {
        Path file = principalsFile();
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        StringBuilder s = new StringBuilder();
        passwords.forEach((user, password) -> s.append(user).append('=').append(password).append('\n'));
        Files.writeString(file, s);
    }

    /** A principal's client settings from a secured broker's principals file and CA (for another class loader or JVM). */
    public static Map<String, String> clientSettings(Path principals, Path ca, String principal) {
        String password = KafkaAccess.passwords(principals).get(principal);
        if (password == null) {
            throw new IllegalArgumentException("no principal " + principal + " in " + principals.getFileName());
        }
        return KafkaAccess.client(principal, password, ca);
    }

    /** The CA certificate clients trust (PEM), null for a plaintext broker. */
    public Path caCertificate() {
        return tls == null ? null : tls.caCertificate();
    }

    private Map<String, Object> adminSettings() {
        Map<String, Object> p = new LinkedHashMap<>(clientSettings(KafkaAccess.ADMIN));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
        return p;
    }

    /** A fresh password for the super user and for each of {@code users}, by principal name. */
    static Map<String, String> passwords(List<KafkaAccess.User> users) {
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put(KafkaAccess.ADMIN, secret());
        users.forEach(u -> passwords.put(u.name(), secret()));
        return passwords;
    }

    private static String secret() {
        return java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    private Path config() {
        return dir.resolve("server.properties");
    }

    private void format(String clusterId) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        int rf = replicationFactor;
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                voters == null ? "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort
                        : "controller.quorum.voters=" + voters,
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=" + partitions,
                "default.replication.factor=" + rf,
                "min.insync.replicas=" + Math.max(1, rf - 1),
                "offsets.topic.replication.factor=" + rf,
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + rf,
                "transaction.state.log.min.isr=" + Math.max(1, rf - 1),
                "share.coordinator.state.topic.replication.factor=" + rf,
                "group.initial.rebalance.delay.ms=0"));
        if (secure()) {
            // The client listener: TLS and SCRAM only. The controller's listener is on loopback for this node alone.
            lines.addAll(List.of(
                    "listeners=SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=SASL_SSL://127.0.0.1:" + port,
                    "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=SASL_SSL",
                    "sasl.enabled.mechanisms=" + KafkaAccess.MECHANISM,
                    "sasl.mechanism.inter.broker.protocol=" + KafkaAccess.MECHANISM,
                    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                            + KafkaAccess.jaas(KafkaAccess.ADMIN, passwords.get(KafkaAccess.ADMIN)),
                    "ssl.keystore.type=PKCS12",
                    "ssl.keystore.location=" + tls.keystore(),
                    "ssl.keystore.password=" + tls.keystorePassword(),
                    // The broker is a client of its own listener (inter-broker): it trusts its CA too.
                    "ssl.truststore.type=PEM",
                    "ssl.truststore.location=" + tls.caCertificate(),
                    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                    "super.users=User:" + KafkaAccess.ADMIN + ";User:ANONYMOUS",
                    "allow.everyone.if.no.acl.found=false",
                    "auto.create.topics.enable=false"));
        } else {
            lines.addAll(List.of(
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    "auto.create.topics.enable=true"));
        }
        lines.add("");
        Files.writeString(config(), String.join("\n", lines));
        List<String> format = new ArrayList<>(List.of("kafka.tools.StorageTool", "format", "--config", config().toString(),
                "--cluster-id", clusterId));
        if (voters == null) {
            format.add("--standalone");
        }
        passwords.forEach((user, password) -> {
            format.add("--add-scram");
            format.add(KafkaAccess.scramArgument(user, password));
        });
        run(format, dir.resolve("format.log"));
    }

    /** (Re)starts the broker on the same ports and log folder and waits until it answers. */
    public synchronized void start() throws IOException {
        if (running()) {
            return;
        }
        launch();
        awaitAnswer();
    }

    /** Starts the process without waiting (a cluster's nodes start together). */
    synchronized void launch() throws IOException {
        if (running()) {
            return;
        }
        Path log = dir.resolve("kafka.log");
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java(), "-Xms256m", "-Xmx768m"));
        command.addAll(loggingOptions());
        command.addAll(List.of("-cp", classpath(), "kafka.Kafka", config().toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildProcesses.killAtExit(process);
    }

    /** Waits until this node answers on its client listener. */
    void awaitAnswer() throws IOException {
        Path log = dir.resolve("kafka.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + ":\n" + tail(log));
            }
            Map<String, Object> settings = new LinkedHashMap<>(adminSettings());
            settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
            settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            try (Admin admin = Admin.create(settings)) {
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

    /**
     * On a Quarkus module's test classpath the broker's SLF4J logging would land in JBoss LogManager, unconfigured, and
     * its own errors go nowhere: SLF4J's simple provider writes them to the broker's log file instead.
     */
    private static List<String> loggingOptions() {
        try {
            Class.forName("org.slf4j.simple.SimpleServiceProvider", false, KafkaProcess.class.getClassLoader());
            return List.of("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider");
        } catch (ClassNotFoundException e) {
            return List.of();
        }
    }

    private static void run(List<String> mainAndArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java()));
        command.addAll(loggingOptions());
        command.addAll(List.of("-cp", classpath()));
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
