package org.nic.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.hash.Sha256;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nic}: what a scanner and a dashboard do, from a shell. Connections come from the environment
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code NIC_STORAGE_ENDPOINT}, {@code NIC_STORAGE_ACCESS_KEY},
 * {@code NIC_STORAGE_SECRET_KEY}), defaulting to deploy/local's broker and store; the credentials have no default.
 */
@Command(name = "nic", mixinStandardHelpOptions = true, subcommands = {NicCli.Submit.class, NicCli.Await.class, NicCli.Label.class, NicCli.AwaitHead.class, NicCli.PinHead.class,
        NicCli.Keys.class, NicCli.KafkaSetup.class, NicCli.KafkaTlsCommand.class, Redrive.class, ExportCommand.class},
        description = "Submit slides to NIC and print what the pipeline answers.")
public final class NicCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new NicCli()).execute(args));
    }

    /** A setting from the environment, else from a system property of the same name, else the fallback. */
    public static String env(String name, String fallback) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A setting that has no default (credentials): its value, or a clear error naming it. */
    public static String required(String name) {
        String v = env(name, null);
        if (v == null) {
            throw new CommandLine.ParameterException(new CommandLine(new NicCli()), name + " is not set: the object store's"
                    + " credentials have no default (deploy/local/services.sh sets the local store's)");
        }
        return v;
    }

    /** The object store from the environment (endpoint and region default to deploy/local's; credentials required). */
    public static ObjectStore.Settings storage(String bucket) {
        return new ObjectStore.Settings(env("NIC_STORAGE_ENDPOINT", "http://127.0.0.1:9000"), required("NIC_STORAGE_ACCESS_KEY"),
                required("NIC_STORAGE_SECRET_KEY"), env("NIC_STORAGE_REGION", "us-east-1"), bucket);
    }

    /**
     * The public keys whose signatures a command trusts ({@code NIC_TRUST_HEAD_KEYS}: PEM files, comma-separated), or a
     * clear error on {@code command} saying what they are needed for.
     */
    public static org.nic.trust.TrustedKeys trustedKeys(Object command, String neededTo) {
        String keys = env("NIC_TRUST_HEAD_KEYS", null);
        if (keys == null) {
            throw new CommandLine.ParameterException(new CommandLine(command), "NIC_TRUST_HEAD_KEYS is not set: the public"
                    + " key files (PEM, comma-separated) whose signatures " + neededTo);
        }
        return org.nic.trust.TrustedKeys.read(java.util.Arrays.stream(keys.split(",")).map(String::trim)
                .filter(k -> !k.isEmpty()).map(Path::of).toList());
    }

    public static String bootstrap() {
        return env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    }

    @Command(name = "submit", description = "Upload a slide to the scanners' bucket, publish slide-arrived and wait for the answer.")
    static final class Submit implements Callable<Integer> {

        @Parameters(index = "0", description = "slide file, or a folder holding one slide's files (a DICOM series)")
        Path slide;

        @Option(names = "--id", description = "slide id (default: sha256 of the file or the folder's files, first 32 hex digits)")
        String slideId;

        @Option(names = "--bucket", defaultValue = "slides", description = "scanners' bucket (default: ${DEFAULT-VALUE})")
        String bucket;

        @Option(names = "--mpp", description = "level-0 um/px override")
        Double mpp;

        @Option(names = "--wait-for", defaultValue = "encoded",
                description = "stage to wait for: tiled, encoded, predicted, or none (default: ${DEFAULT-VALUE})")
        String waitFor;

        @Option(names = "--timeout", defaultValue = "PT5M", description = "how long to wait (ISO-8601, default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--in-place", description = "publish the slide where it lies, as a file: URI, instead of uploading it: for "
                + "scanners that write to a share the services mount (its folder must be among their nic.sources.allowed-roots)")
        boolean inPlace;

        @Override
        public Integer call() throws Exception {
            boolean folder = Files.isDirectory(slide);
            if (!folder && !Files.isRegularFile(slide)) {
                System.err.println("no such slide file or folder: " + slide);
                return 2;
            }
            List<Path> files = folder ? folderFiles(slide) : List.of(slide);
            if (files.isEmpty()) {
                System.err.println("no files in " + slide);
                return 2;
            }
            String id = slideId != null ? slideId : contentId(files);
            String uri;
            if (inPlace) {
                uri = inPlaceUri(slide);
            } else {
                // A folder (one series) goes under one prefix, and the slide's URI names the prefix.
                S3Uri object = new S3Uri(bucket, id + "/" + slide.getFileName() + (folder ? "/" : ""));
                try (ObjectStore store = new ObjectStore(storage(bucket))) {
                    store.ensureBucket();
                    for (Path f : files) {
                        store.putFile(folder ? new S3Uri(bucket, object.key() + f.getFileName()) : object, f,
                                "application/octet-stream");
                    }
                }
                uri = object.toString();
                System.err.println("uploaded " + slide + " to " + uri);
            }
            String done = switch (waitFor) {
                case "tiled" -> Topics.SLIDE_TILED;
                case "encoded" -> Topics.SLIDE_ENCODED;
                case "predicted" -> Topics.SLIDE_PREDICTED;
                case "none" -> null;
                default -> throw new CommandLine.ParameterException(new CommandLine(this), "--wait-for: tiled, encoded, predicted or none");
            };
            try (EventClient events = new EventClient(bootstrap())) {
                // Answers from earlier submissions of the same slide are not this one's.
                var from = done == null ? null : events.endOffsets(done, Topics.SLIDE_FAILED);
                events.publish(EventType.SLIDE_ARRIVED, id, new SlideArrived(id, uri, "nic-cli", null, mpp));
                System.err.println("published slide-arrived for " + id);
                if (done == null) {
                    return 0;
                }
                return Await.print(events.await(from, r -> id.equals(r.key()) && EventClient.isFinal(r), timeout, done,
                        Topics.SLIDE_FAILED));
            }
        }
    }

    /** A slide's {@code file:} URI where it lies: absolute, normalised, a folder's ending in a slash. */
    static String inPlaceUri(Path slide) {
        return slide.toAbsolutePath().normalize().toUri().toString();
    }

    @Command(name = "await", description = "Wait for a slide's encoded (or final failed) event and print it.")
    static final class Await implements Callable<Integer> {

        @Parameters(index = "0", description = "slide id")
        String slideId;

        @Option(names = "--timeout", defaultValue = "PT5M", description = "how long to wait (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public Integer call() {
            try (EventClient events = new EventClient(bootstrap())) {
                return print(events.await(null, r -> slideId.equals(r.key()) && EventClient.isFinal(r), timeout,
                        Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED));
            }
        }

        /** Prints the record with its topic and CloudEvents type; 0 on success, 1 when the slide failed. */
        static int print(ConsumerRecord<String, byte[]> record) {
            System.out.println("# " + record.topic() + " key=" + record.key() + " ce_type="
                    + EventClient.header(record, "ce_type") + " ce_id=" + EventClient.header(record, "ce_id"));
            System.out.println(new String(record.value(), StandardCharsets.UTF_8));
            return record.topic().equals(Topics.SLIDE_FAILED) ? 1 : 0;
        }
    }

    @Command(name = "label", description = "Record a slide's label for a task (label-recorded, keyed slide/task).")
    static final class Label implements Callable<Integer> {

        @Option(names = "--slide", required = true)
        String slideId;

        @Option(names = "--task", required = true)
        String task;

        @Option(names = "--case", description = "case id: slides of one case stay on one side of the held-out split")
        String caseId;

        @Option(names = "--value", description = "regression target")
        Double value;

        @Option(names = "--class", description = "class name (classification)")
        String label;

        @Option(names = "--time", description = "survival time")
        Double time;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--event", arity = "1", description = "survival: --event=true (event at --time) or --event=false (censored)")
        Boolean event;

        @Override
        public Integer call() {
            String problem = problem(value, label, time, event);
            if (problem != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), problem);
            }
            org.nic.event.LabelRecorded record = new org.nic.event.LabelRecorded(slideId, caseId, task, value, label, time, event,
                    "nic-cli");
            try (EventClient events = new EventClient(bootstrap())) {
                events.publish(EventType.LABEL_RECORDED, record.key(), record);
            }
            System.err.println("recorded " + record.key());
            return 0;
        }
    }

    /**
     * What is wrong with a label's values before it is sent, or null: one kind of value (a regression target, a class,
     * or a survival time with its event), so that the trainer is not left to dead-letter it where only its log says why.
     */
    static String problem(Double value, String label, Double time, Boolean event) {
        int given = (value != null ? 1 : 0) + (label != null ? 1 : 0) + (time != null ? 1 : 0);
        if (given != 1) {
            return "give exactly one of --value (regression), --class (classification) or --time with --event (survival)";
        }
        if (time != null && event == null) {
            return "a survival label needs --event=true (the event happened at --time) or --event=false (censored at --time)";
        }
        if (time == null && event != null) {
            return "--event belongs to a survival label: give --time too";
        }
        return null;
    }

    @Command(name = "await-head", description = "Wait for a published head of a task and print its model-published event.")
    static final class AwaitHead implements Callable<Integer> {

        @Option(names = "--task", required = true)
        String task;

        @Option(names = "--timeout", defaultValue = "PT5M")
        Duration timeout;

        @Override
        public Integer call() {
            try (EventClient events = new EventClient(bootstrap())) {
                ConsumerRecord<String, byte[]> record = events.await(null, r -> r.key() != null && r.key().startsWith(task + "/"),
                        timeout, Topics.MODEL_PUBLISHED);
                System.out.println(new String(record.value(), StandardCharsets.UTF_8));
            }
            return 0;
        }
    }

    @Command(name = "pin-head", description = "Make a stored head version the active one for its task and encoder "
            + "(pin, or roll back): publishes model-published for it after checking its signature against the trusted keys "
            + "(NIC_TRUST_HEAD_KEYS: PEM files, comma-separated) and its file against its card.")
    static final class PinHead implements Callable<Integer> {

        @Option(names = "--task", required = true)
        String task;

        @Option(names = "--version", required = true, description = "a version under models/heads/<task>/")
        String version;

        @Option(names = "--bucket", defaultValue = "nic", description = "NIC's bucket (default: ${DEFAULT-VALUE})")
        String bucket;

        @Option(names = "--by", description = "who pins it, for the model history (default: $USER)")
        String by;

        @Option(names = "--reason", defaultValue = "pinned by an operator", description = "why, for the model history")
        String reason;

        @Override
        public Integer call() throws Exception {
            String who = by != null && !by.isBlank() ? by : env("USER", "operator");
            ObjectStore.Settings settings = storage(bucket);
            String prefix = org.nic.storage.StorageLayout.head(task, version);
            org.nic.trust.TrustedKeys trusted = trustedKeys(this, "make a head pinnable");
            org.nic.event.ModelPublished event;
            try (ObjectStore store = new ObjectStore(settings)) {
                org.nic.trust.VerifiedHead verified;
                try {
                    verified = org.nic.trust.VerifiedHead.load(store, store.uri(prefix + "model.onnx").toString(),
                            store.uri(prefix + "card.json").toString(), null, trusted, org.nic.trust.VerifiedHead.Limits.DEFAULT);
                } catch (org.nic.trust.HeadRefused e) {
                    System.err.println("refusing to pin " + task + " " + version + " (" + e.tag() + "): " + e.getMessage());
                    return 1;
                }
                org.nic.model.ModelCard card = verified.card();
                java.util.Map<String, Object> p = card.properties() == null ? java.util.Map.of() : card.properties();
                String metric = card.metrics().keySet().stream().filter(k -> !k.startsWith("baseline.")).findFirst().orElse("spearman");
                event = new org.nic.event.ModelPublished(task, String.valueOf(p.get("kind")), String.valueOf(p.get("encoderId")),
                        version, store.uri(prefix + card.file()).toString(), card.sha256(), store.uri(prefix + "card.json").toString(),
                        metric, card.metrics().getOrDefault(metric, 0.0), 0, reason + " (" + who + ")");
            }
            try (EventClient events = new EventClient(bootstrap())) {
                events.publish(EventType.MODEL_PUBLISHED, event.key(), event);
                events.publish(EventType.MODEL_DECIDED, event.key(), new org.nic.event.ModelDecided(task, event.kind(),
                        event.encoderId(), org.nic.event.ModelDecided.PINNED, version, event.metric(), event.heldOutMetric(), null, null,
                        null, null, null, 0, reason, who));
            }
            System.out.println("pinned " + task + " " + version + " for encoder " + event.encoderId());
            return 0;
        }
    }

    @Command(name = "keys", description = "Make an Ed25519 key pair for signing heads: the private file (private and public"
            + " key, for the publisher's Secret) and the public file (for the verifiers' list of trusted keys).")
    static final class Keys implements Callable<Integer> {

        @Option(names = "--private", required = true, description = "the signing key file to write (owner-only)")
        Path privateFile;

        @Option(names = "--public", required = true, description = "the public key file to write")
        Path publicFile;

        @Override
        public Integer call() {
            org.nic.trust.SigningKey.generate(privateFile, publicFile);
            System.out.println("key " + org.nic.trust.SigningKey.read(privateFile).keyId() + ": " + privateFile + ", " + publicFile);
            return 0;
        }
    }

    @Command(name = "kafka-setup", description = "Give a broker outside Kubernetes NIC's topics and its principals' ACLs, as "
            + "deploy/k8s declares them for Strimzi (run with the broker's admin login in KAFKA_SASL_JAAS_CONFIG).")
    static final class KafkaSetup implements Callable<Integer> {

        @Option(names = "--users", required = true, description = "Strimzi KafkaUsers (deploy/k8s/base/users.yaml)")
        Path users;

        @Option(names = "--topics", required = true, description = "Strimzi KafkaTopics (deploy/k8s/base/topics.yaml)")
        Path topics;

        @Option(names = "--brokers", defaultValue = "1", description = "brokers there are: replicas are capped at it")
        int brokers;

        @Override
        public Integer call() throws Exception {
            java.util.Properties p = KafkaAccess.fromEnvironment();
            p.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            var declaredUsers = KafkaAccess.users(users);
            var declaredTopics = KafkaAccess.topics(topics);
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
                KafkaAccess.apply(admin, declaredTopics, declaredUsers, brokers);
            }
            System.out.println(declaredTopics.size() + " topics and the ACLs of " + declaredUsers.size() + " principals in place");
            return 0;
        }
    }

    @Command(name = "kafka-tls", description = "Make a broker's TLS material with keytool: its own CA (ca.crt, for clients) and "
            + "the broker's keystore for localhost and 127.0.0.1 (broker.p12, password in broker.password); kept when there.")
    static final class KafkaTlsCommand implements Callable<Integer> {

        @Option(names = "--dir", required = true)
        Path dir;

        @Override
        public Integer call() throws Exception {
            KafkaTls.Material m = KafkaTls.ensure(dir);
            System.out.println("CA " + m.caCertificate() + ", keystore " + m.keystore());
            return 0;
        }
    }

    static String contentId(Path file) throws IOException {
        return contentId(List.of(file));
    }

    /** The first 32 hex digits of the SHA-256 of the files' bytes, in the order given (a folder's: by name). */
    static String contentId(List<Path> files) throws IOException {
        MessageDigest sha = Sha256.digest();
        byte[] buffer = new byte[1 << 16];
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    /** A folder's regular files (not its subfolders, not hidden files), by name. */
    static List<Path> folderFiles(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> list = Files.list(folder)) {
            return list.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }
}
