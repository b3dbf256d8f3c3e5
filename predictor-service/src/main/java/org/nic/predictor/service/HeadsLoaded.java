package org.nic.predictor.service;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;
import org.nic.event.Topics;

/**
 * Whether this predictor has read {@code nic.model.published.v1} as far as it reached when it was first
 * asked: until then a slide without an active head may only be early, not headless. Slides wait for it
 * ({@link #await}), and the service is not ready before it ({@link Check}).
 */
@ApplicationScoped
public class HeadsLoaded {

    private static final Logger LOG = Logger.getLogger(HeadsLoaded.class);
    static final String CHANNEL = "model-published";

    private final KafkaClientService kafka;
    private final Map<TopicPartition, Long> read = new ConcurrentHashMap<>();
    private volatile Map<TopicPartition, Long> target;
    private volatile boolean caughtUp;

    public HeadsLoaded(KafkaClientService kafka) {
        this.kafka = kafka;
    }

    /** A model-published record was handled (activated, refused or unreadable alike). */
    public void handled(String topic, int partition, long offset) {
        read.merge(new TopicPartition(topic, partition), offset, Math::max);
    }

    public boolean caughtUp() {
        if (caughtUp) {
            return true;
        }
        Map<TopicPartition, Long> end = target;
        if (end == null) {
            try {
                end = kafka.<String, byte[]>getConsumer(CHANNEL).runOnPollingThread(c -> {
                    List<TopicPartition> partitions = c.partitionsFor(Topics.MODEL_PUBLISHED).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                    return c.endOffsets(partitions);
                }).await().atMost(Duration.ofSeconds(30));
                target = end;
            } catch (RuntimeException e) {
                LOG.warnf("could not read the end of %s yet: %s", Topics.MODEL_PUBLISHED, e.getMessage());
                return false;
            }
        }
        boolean done = end.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), -1L) + 1 >= e.getValue());
        if (done) {
            caughtUp = true;
            LOG.infof("every head published before this predictor started is read (%s)", end);
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

    /** Not ready until {@link HeadsLoaded#caughtUp()}. */
    @Readiness
    @ApplicationScoped
    public static class Check implements HealthCheck {

        private final HeadsLoaded loaded;

        public Check(HeadsLoaded loaded) {
            this.loaded = loaded;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("heads-loaded").status(loaded.caughtUp()).build();
        }
    }
}
