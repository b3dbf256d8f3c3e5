package org.nic.service.messaging;

import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.eclipse.microprofile.config.Config;

/**
 * Static group membership (KIP-345) when {@code nic.kafka.instance-id} is set (a pod name from a StatefulSet,
 * a host name): each consumer joins its group as {@code <instance-id>-<channel>}, so a service that crashed
 * and comes back under the same name takes its partitions back at once, without a rebalance and without
 * waiting for its old session to time out. Unset (the default), consumers are dynamic members.
 */
@ApplicationScoped
public class StaticMembership implements ClientCustomizer<Map<String, Object>> {

    private final Optional<String> instanceId;

    public StaticMembership(KafkaConfig config) {
        this.instanceId = config.instanceId().map(String::trim).filter(s -> !s.isEmpty());
    }

    @Override
    public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> config) {
        if (instanceId.isPresent() && config.containsKey(ConsumerConfig.GROUP_ID_CONFIG)
                && config.containsKey(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG)) {
            Object group = config.get(ConsumerConfig.GROUP_ID_CONFIG);
            Map<String, Object> out = new java.util.HashMap<>(config);
            // The delayed-retry consumer of a channel has a group of its own; the id only has to be unique in a group.
            out.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId.get() + "-" + channel
                    + (String.valueOf(group).startsWith("kafka-delayed-retry-topic-") ? "-retry" : ""));
            return out;
        }
        return config;
    }
}
