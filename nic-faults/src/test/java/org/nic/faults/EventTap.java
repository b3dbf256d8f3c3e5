package org.nic.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.nic.event.EventJson;

/**
 * Everything NIC writes to Kafka, as a dashboard would see it: one consumer on every {@code nic.*} topic from
 * the beginning, on a thread of its own that rides over broker restarts. Each record is kept once (by topic,
 * partition and offset), so what the tests count is what is on the topics.
 */
final class EventTap implements AutoCloseable {

    /** A record as read: topic, key, CloudEvents id, W3C traceparent, JSON payload (null when not JSON). */
    record Event(String topic, String key, String ceId, String traceparent, JsonNode json, long offset) {

        /** The trace id of the record's traceparent, or null. */
        String traceId() {
            return traceparent == null || traceparent.split("-").length < 4 ? null : traceparent.split("-")[1];
        }


        String text(String field) {
            return json == null || !json.hasNonNull(field) ? null : json.get(field).asText();
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;

    EventTap(String bootstrap, Properties security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "nic-fault-tap-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(Pattern.compile("nic\\..*"));
        thread = new Thread(this::run, "nic-fault-tap");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (seen.add(r.topic() + "/" + r.partition() + "/" + r.offset())) {
                        events.add(new Event(r.topic(), r.key(), header(r, "ce_id"), header(r, "traceparent"), json(r.value()),
                                r.offset()));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** The records of a topic so far, keyed {@code key} (any key when null), in the order read. */
    List<Event> on(String topic, String key) {
        return events.stream().filter(e -> e.topic().equals(topic) && (key == null || key.equals(e.key()))).toList();
    }

    /** The distinct CloudEvents ids of a slide's records on a topic: one per output, however often repeated. */
    Set<String> ids(String topic, String key) {
        return on(topic, key).stream().map(Event::ceId).collect(java.util.stream.Collectors.toSet());
    }

    /** Waits for the first record of the topic that matches. */
    Event await(String topic, Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Event e : events) {
                if (e.topic().equals(topic) && match.test(e)) {
                    return e;
                }
            }
            pause(100);
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout);
    }

    /** Waits until every key of {@code keys} has a record on the topic that matches. */
    void awaitAll(String topic, Set<String> keys, Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> missing = Set.copyOf(keys);
        while (System.nanoTime() < deadline) {
            missing = keys.stream().filter(k -> on(topic, k).stream().noneMatch(match)).collect(java.util.stream.Collectors.toSet());
            if (missing.isEmpty()) {
                return;
            }
            pause(250);
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout + " for " + missing);
    }

    static void pause(long millis) {
        org.nic.testing.ChildProcesses.pause(millis);
    }

    private static JsonNode json(byte[] value) {
        try {
            return value == null ? null : EventJson.mapper().readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
