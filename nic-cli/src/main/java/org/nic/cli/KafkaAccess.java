package org.nic.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * NIC's Kafka principals and what each may do, read from the one place they are declared: deploy/k8s's Strimzi
 * {@code KafkaUser}s (users.yaml) and {@code KafkaTopic}s (topics.yaml). Strimzi applies them in Kubernetes; a broker
 * outside it (the local stack, the container demo, the fault tests) gets the same topics and ACLs from here, and its
 * clients the same SASL_SSL settings.
 */
public final class KafkaAccess {

    /** The SASL mechanism of every NIC principal. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The broker's own principal and the tools' (a super user): not declared in users.yaml. */
    public static final String ADMIN = "admin";

    /** One ACL: a topic or group name, literal or a prefix, and the operations it allows. */
    public record Acl(ResourceType type, String name, boolean prefix, List<AclOperation> operations) { }

    /** A principal (User:name) and its ACLs. */
    public record User(String name, List<Acl> acls) { }

    /** A topic as declared: name, partitions, replicas, configuration. */
    public record Topic(String name, int partitions, int replicas, Map<String, String> config) { }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private KafkaAccess() {
    }

    /** The KafkaUsers of a Strimzi users file. */
    public static List<User> users(Path usersYaml) {
        List<User> users = new ArrayList<>();
        for (JsonNode doc : documents(usersYaml)) {
            if (!"KafkaUser".equals(doc.path("kind").asText())) {
                continue;
            }
            List<Acl> acls = new ArrayList<>();
            for (JsonNode a : doc.at("/spec/authorization/acls")) {
                List<AclOperation> ops = new ArrayList<>();
                a.path("operations").forEach(o -> ops.add(AclOperation.fromString(o.asText())));
                acls.add(new Acl(ResourceType.fromString(a.at("/resource/type").asText()), a.at("/resource/name").asText(),
                        "prefix".equals(a.at("/resource/patternType").asText("literal")), List.copyOf(ops)));
            }
            users.add(new User(doc.at("/metadata/name").asText(), List.copyOf(acls)));
        }
        return users;
    }

    /** The KafkaTopics of a Strimzi topics file. */
    public static List<Topic> topics(Path topicsYaml) {
        List<Topic> topics = new ArrayList<>();
        for (JsonNode doc : documents(topicsYaml)) {
            if (!"KafkaTopic".equals(doc.path("kind").asText())) {
                continue;
            }
            Map<String, String> config = new LinkedHashMap<>();
            doc.at("/spec/config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            topics.add(new Topic(doc.at("/spec/topicName").asText(), doc.at("/spec/partitions").asInt(1),
                    doc.at("/spec/replicas").asInt(1), config));
        }
        return topics;
    }

    private static List<JsonNode> documents(Path yaml) {
        try (var parser = YAML.getFactory().createParser(yaml.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + yaml, e);
        }
    }

    /**
     * Creates the topics that are missing (replicas and {@code min.insync.replicas} capped at the brokers there are)
     * and every user's ACLs (allow, any host). SCRAM credentials are not made here: the broker's storage is formatted
     * with them ({@link #scramArgument}).
     */
    public static void apply(Admin admin, List<Topic> topics, List<User> users, int brokers)
            throws InterruptedException, ExecutionException {
        for (Topic t : topics) {
            Map<String, String> config = new HashMap<>(t.config());
            config.computeIfPresent("min.insync.replicas", (k, v) -> String.valueOf(Math.min(Integer.parseInt(v), brokers)));
            try {
                admin.createTopics(List.of(new NewTopic(t.name(), t.partitions(), (short) Math.min(t.replicas(), brokers))
                        .configs(config))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        List<AclBinding> bindings = new ArrayList<>();
        for (User u : users) {
            for (Acl a : u.acls()) {
                for (AclOperation op : a.operations()) {
                    bindings.add(new AclBinding(new ResourcePattern(a.type(), a.name(), a.prefix() ? PatternType.PREFIXED
                            : PatternType.LITERAL), new AccessControlEntry("User:" + u.name(), "*", op, AclPermissionType.ALLOW)));
                }
            }
        }
        admin.createAcls(bindings).all().get();
    }

    /** A {@code kafka-storage format --add-scram} argument: the principal's SCRAM credential, made with the storage. */
    public static String scramArgument(String user, String password) {
        return MECHANISM + "=[name=" + user + ",password=" + password + "]";
    }

    /** The JAAS line of a SCRAM login. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** A client's settings for a SASL_SSL listener: the principal's login and the CA that signed the broker (PEM). */
    public static Map<String, String> client(String user, String password, Path caPem) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(user, password));
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caPem.toString());
        return p;
    }

    /**
     * The client settings the environment gives, as the services read them ({@code KAFKA_SECURITY_PROTOCOL},
     * {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}, {@code KAFKA_SSL_TRUSTSTORE_TYPE},
     * {@code KAFKA_SSL_TRUSTSTORE_LOCATION}; or system properties of those names): none for a plaintext broker.
     */
    public static Properties fromEnvironment() {
        Properties p = new Properties();
        for (String key : List.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SaslConfigs.SASL_MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG)) {
            String value = NicCli.env("KAFKA_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), null);
            if (value != null) {
                p.put(key, value);
            }
        }
        return p;
    }

    /** Reads a properties-style file of principal passwords ({@code name=password}), as the local stack writes it. */
    public static Map<String, String> passwords(Path file) {
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
