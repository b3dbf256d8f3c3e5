package org.nic.service.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Whether a channel that reads its topic from the beginning (a compacted topic that is a service's state: the
 * active heads, the labels, the trainer's decisions) has read as far as the topic reached when it was first
 * asked. Until then the state is only partly known: a predictor without a head may only be early, a trainer
 * may count labels as new that its last decision already covered.
 */
public final class TopicCatchUp {

    private static final Logger LOG = Logger.getLogger(TopicCatchUp.class);

    private final KafkaClientService kafka;
    private final String channel;
    private final String topic;
    private final Map<TopicPartition, Long> read = new ConcurrentHashMap<>();
    private volatile Map<TopicPartition, Long> target;
    private volatile boolean caughtUp;

    public TopicCatchUp(KafkaClientService kafka, String channel, String topic) {
        this.kafka = kafka;
        this.channel = channel;
        this.topic = topic;
    }

    /** A record of the channel was handled (used, refused or unreadable alike). */
    public void handled(Message<?> message) {
        message.getMetadata(IncomingKafkaRecordMetadata.class).ifPresent(m -> handled(m.getTopic(), m.getPartition(), m.getOffset()));
    }

    public void handled(String topicName, int partition, long offset) {
        read.merge(new TopicPartition(topicName, partition), offset, Math::max);
    }

    public boolean caughtUp() {
        if (caughtUp) {
            return true;
        }
        Map<TopicPartition, Long> end = target;
        if (end == null) {
            try {
                end = kafka.<Object, Object>getConsumer(channel).runOnPollingThread(c -> {
                    List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                    return c.endOffsets(partitions);
                }).await().atMost(Duration.ofSeconds(30));
                target = end;
            } catch (RuntimeException e) {
                LOG.warnf("could not read the end of %s yet: %s", topic, e.getMessage());
                return false;
            }
        }
        boolean done = end.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), -1L) + 1 >= e.getValue());
        if (done) {
            caughtUp = true;
            LOG.infof("%s is read as far as it reached at start (%s)", topic, end);
        }
        return done;
    }

    /** Waits until {@link #caughtUp()}, at most {@code timeout}; returns whether it did. */
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }
}
