package org.nic.predictor.service;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.nic.event.Topics;
import org.nic.service.messaging.TopicCatchUp;

/**
 * Whether this predictor has read {@code nic.model.published.v1} as far as it reached when it was first
 * asked: until then a slide without an active head may only be early, not headless. Slides wait for it
 * ({@link #await}), and the service is not ready before it ({@link Check}).
 */
@ApplicationScoped
public class HeadsLoaded {

    static final String CHANNEL = "model-published";

    private final TopicCatchUp topic;

    public HeadsLoaded(KafkaClientService kafka) {
        this.topic = new TopicCatchUp(kafka, CHANNEL, Topics.MODEL_PUBLISHED);
    }

    /** A model-published record was handled (activated, refused or unreadable alike). */
    public void handled(Message<?> message) {
        topic.handled(message);
    }

    public boolean caughtUp() {
        return topic.caughtUp();
    }

    /** Waits until {@link #caughtUp()}, at most {@code timeout}; returns whether it did. */
    public boolean await(Duration timeout) throws InterruptedException {
        return topic.await(timeout);
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
