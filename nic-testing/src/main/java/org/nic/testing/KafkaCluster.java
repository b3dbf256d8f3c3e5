package org.nic.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.nic.cli.KafkaAccess;

/**
 * A KRaft cluster of real brokers, each a child process ({@link KafkaProcess}) that is also a voter of a static
 * controller quorum, so that any one of them can be killed and the others go on: leaders move, the controller quorum
 * keeps its majority. Plaintext ({@link #start}, topics made with {@link #createTopics}), or secured like production
 * ({@link #startSecure}: TLS, SCRAM, ACLs); NIC's topics as deploy/k8s declares them (partitions, replication factor 3,
 * {@code min.insync.replicas} 2), made up front.
 */
public final class KafkaCluster implements KafkaBrokers {

    private final List<KafkaProcess> nodes;

    private KafkaCluster(List<KafkaProcess> nodes) {
        this.nodes = nodes;
    }

    /** Formats and starts {@code size} nodes under {@code dir} and waits until every one answers. */
    public static KafkaCluster start(Path dir, int size) throws IOException {
        return launch(new KafkaCluster(KafkaProcess.clusterNodes(dir, size, 1)), size);
    }

    /**
     * A secured cluster, as production runs one: TLS and SCRAM logins on every node, one principal per service with
     * its ACLs and NIC's topics as deploy/k8s declares them ({@code users.yaml}, {@code topics.yaml} of {@code k8sBase};
     * replication factor 3, {@code min.insync.replicas} 2), passwords generated here. Clients log in with
     * {@link #clientSettings(String)}.
     */
    public static KafkaCluster startSecure(Path dir, int size, Path k8sBase) throws IOException {
        List<KafkaAccess.User> users = KafkaAccess.users(k8sBase.resolve("users.yaml"));
        Map<String, String> passwords = KafkaProcess.passwords(users);
        KafkaCluster cluster = launch(new KafkaCluster(KafkaProcess.clusterNodes(dir, size, 1, passwords,
                org.nic.cli.KafkaTls.ensure(dir.resolve("tls")))), size);
        try (Admin admin = cluster.admin()) {
            KafkaAccess.apply(admin, KafkaAccess.topics(k8sBase.resolve("topics.yaml")), users, size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new IOException(e);
        } catch (ExecutionException | RuntimeException e) {
            cluster.close();
            throw new IOException("could not give the cluster NIC's topics and ACLs", e);
        }
        return cluster;
    }

    @Override
    public boolean secure() {
        return nodes.get(0).secure();
    }

    /** The first node's: every node has the same principals. */
    @Override
    public Map<String, String> clientSettings(String principal) {
        return nodes.get(0).clientSettings(principal);
    }

    private static KafkaCluster launch(KafkaCluster cluster, int size) throws IOException {
        try {
            for (KafkaProcess node : cluster.nodes) {
                node.launch();
            }
            for (KafkaProcess node : cluster.nodes) {
                node.awaitAnswer();
            }
            cluster.awaitBrokers(size);
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    @Override
    public String bootstrapServers() {
        return nodes.stream().map(KafkaProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    public List<KafkaProcess> nodes() {
        return nodes;
    }

    /** The node with this id (1..size). */
    public KafkaProcess node(int id) {
        return nodes.get(id - 1);
    }

    /** Makes the topics of deploy/k8s's topics.yaml as declared there (replicas capped at the cluster's size). */
    public void createTopics(Path topicsYaml) throws IOException {
        List<NewTopic> topics = new ArrayList<>();
        for (KafkaAccess.Topic t : KafkaAccess.topics(topicsYaml)) {
            topics.add(new NewTopic(t.name(), t.partitions(), (short) Math.min(t.replicas(), nodes.size()))
                    .configs(t.config()));
        }
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not make NIC's topics", e);
        }
    }

    /** Each partition's leader (node id; -1 while it has none) and in-sync replicas. */
    public Map<Integer, TopicPartitionInfo> partitions(String topic) {
        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
            Map<Integer, TopicPartitionInfo> out = new HashMap<>();
            d.partitions().forEach(p -> out.put(p.partition(), p));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not describe " + topic, e);
        }
    }

    /** The node that leads most of the topic's partitions now. */
    public int leaderOfMost(String topic) {
        Map<Integer, Long> counts = partitions(topic).values().stream().filter(p -> p.leader() != null)
                .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** An admin client, logged in as the super user on a secured cluster. */
    public Admin admin() {
        Map<String, Object> p = new HashMap<>(clientSettings(KafkaAccess.ADMIN));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
        return Admin.create(p);
    }

    /** Waits until {@code count} brokers are registered with the controller. */
    public void awaitBrokers(int count) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        int seen = 0;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (seen >= count) {
                    return;
                }
            } catch (Exception e) {
                // not answering yet
            }
            ChildProcesses.pause(300);
        }
        throw new IOException("only " + seen + " of " + count + " brokers registered within 90 s");
    }

    @Override
    public void close() {
        nodes.forEach(KafkaProcess::close);
    }
}
