package org.nic.service.messaging;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Kafka settings of NIC's own, the same for every service ({@code nic.kafka.*}, {@code NIC_KAFKA_*}). */
@ConfigMapping(prefix = "nic.kafka")
public interface KafkaConfig {

    /**
     * A name unique to this replica and stable across its restarts (a StatefulSet pod's name): its consumers
     * join their groups as static members ({@link StaticMembership}). Unset: dynamic members.
     */
    Optional<String> instanceId();
}
