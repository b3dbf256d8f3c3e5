package org.nic.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.nic.event.EventJson;
import org.nic.event.EventType;

/**
 * Plain Kafka clients: publish CloudEvents as a scanner would, and wait for what the pipeline answers. A secured
 * broker's settings come from the environment as the services' do ({@link KafkaAccess#fromEnvironment}), or are given.
 */
public final class EventClient implements AutoCloseable {

    private final String bootstrap;
    private final Properties security;
    private final KafkaProducer<String, byte[]> producer;

    public EventClient(String bootstrap) {
        this(bootstrap, KafkaAccess.fromEnvironment());
    }

    /** A client with its own security settings (SASL_SSL login, truststore): one principal's. */
    public EventClient(String bootstrap, Properties security) {
        this.bootstrap = bootstrap;
        this.security = security;
        Properties p = new Properties();
        p.putAll(security);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(p);
    }

    /** Publishes an event in CloudEvents binary mode, keyed by {@code key}. */
    public void publish(EventType type, String key, Object event) {
        publishRaw(type, key, EventJson.toBytes(event));
    }

    /**
     * Publishes an event with extra headers, e.g. a W3C {@code traceparent} that puts the slide's whole
     * journey through NIC into the sender's trace.
     */
    public void publish(EventType type, String key, Object event, Map<String, String> headers) {
        send(type, key, EventJson.toBytes(event), headers);
    }

    /** Publishes raw bytes with CloudEvents headers: for malformed payloads. */
    public void publishRaw(EventType type, String key, byte[] payload) {
        send(type, key, payload, Map.of());
    }

    private void send(EventType type, String key, byte[] payload, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(type.topic(), key, payload);
        headers.forEach((k, v) -> record.headers().add(k, bytes(v)));
        record.headers().add("ce_specversion", bytes("1.0"));
        record.headers().add("ce_id", bytes(UUID.randomUUID().toString()));
        record.headers().add("ce_source", bytes("urn:nic:test"));
        record.headers().add("ce_type", bytes(type.cloudEventType()));
        record.headers().add("content-type", bytes("application/json"));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + type.topic(), e);
        }
    }

    /** The current end of every partition of the topics: pass it to {@link #await} to see only newer records. */
    public Map<TopicPartition, Long> endOffsets(String... topics) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            return consumer.endOffsets(partitions(consumer, topics, Duration.ofSeconds(30)));
        }
    }

    /**
     * Waits for the first record on any of the topics that matches, reading from {@code from} (a result of
     * {@link #endOffsets}) or from the beginning when it is null.
     *
     * @throws AssertionError when none comes in time
     */
    public ConsumerRecord<String, byte[]> await(Map<TopicPartition, Long> from,
                                                Predicate<ConsumerRecord<String, byte[]>> match, Duration timeout,
                                                String... topics) {
        return find(from, match, timeout, topics).orElseThrow(() ->
                new AssertionError("no matching record on " + String.join(", ", topics) + " within " + timeout));
    }

    /**
     * Like {@link #await}, but an absence is a value, not an error: for callers that retry, so that they
     * never have to catch (and so hide) assertion failures.
     */
    public java.util.Optional<ConsumerRecord<String, byte[]>> find(Map<TopicPartition, Long> from,
                                                                   Predicate<ConsumerRecord<String, byte[]>> match,
                                                                   Duration timeout, String... topics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topics, timeout);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long offset = from == null ? null : from.get(tp);
                if (offset == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, offset);
                }
            }
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record)) {
                        return java.util.Optional.of(record);
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Every record of the topics from {@code since} (the first offset at or after it; the beginning when null) up to
     * their ends as they are now, in no particular order across partitions.
     */
    public List<ConsumerRecord<String, byte[]>> read(java.time.Instant since, String... topics) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topics, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            if (since != null) {
                Map<TopicPartition, Long> times = new java.util.HashMap<>();
                partitions.forEach(tp -> times.put(tp, since.toEpochMilli()));
                consumer.offsetsForTimes(times).forEach((tp, o) -> {
                    if (o == null) {
                        consumer.seek(tp, ends.get(tp));
                    } else {
                        consumer.seek(tp, o.offset());
                    }
                });
            }
            java.util.Set<TopicPartition> open = new java.util.HashSet<>();
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp) < ends.get(tp)) {
                    open.add(tp);
                }
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ends.get(tp)) {
                        out.add(record);
                    }
                }
                open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            }
            if (!open.isEmpty()) {
                throw new IllegalStateException("could not read " + open + " to its end within 5 minutes");
            }
        }
        return out;
    }

    /**
     * Publishes a copy of {@code original} (its key, value and headers) on {@code topic}, without the headers of an
     * earlier retry or dead-lettering ({@code delayed-retry-*}, {@code dead-letter-*}, {@code nic-redrive*}) and
     * with {@code added}.
     */
    public void republish(ConsumerRecord<String, byte[]> original, String topic, Map<String, String> added) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, original.key(), original.value());
        for (Header h : original.headers()) {
            String name = h.key();
            if (!name.startsWith("delayed-retry") && !name.startsWith("dead-letter") && !name.startsWith("nic-redrive")) {
                record.headers().add(name, h.value());
            }
        }
        added.forEach((k, v) -> record.headers().add(k, bytes(v)));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + topic, e);
        }
    }

    /** Waits for the first record keyed {@code key} on any of the topics, reading from the beginning. */
    public ConsumerRecord<String, byte[]> awaitKey(String key, Duration timeout, String... topics) {
        return await(null, r -> key.equals(r.key()), timeout, topics);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String[] topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = List.of();
            // A topic that does not exist yet is created by this metadata request (auto-creation), or later.
            while (infos.isEmpty() && System.nanoTime() < deadline) {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos == null || infos.isEmpty()) {
                    infos = List.of();
                    sleep(200);
                }
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        return partitions;
    }

    /**
     * False for a {@code slide-failed} record of an attempt that NIC repeats by itself ({@code retrying: true}):
     * the slide is not done with. True for every other record.
     */
    public static boolean isFinal(ConsumerRecord<String, byte[]> record) {
        if (!record.topic().equals(org.nic.event.Topics.SLIDE_FAILED)) {
            return true;
        }
        try {
            return !EventJson.mapper().readTree(record.value()).path("retrying").asBoolean(false);
        } catch (java.io.IOException e) {
            return true;
        }
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
