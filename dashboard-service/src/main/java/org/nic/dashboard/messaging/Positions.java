package org.nic.dashboard.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The last offset folded into the boards per partition. The dashboard commits nothing (every replica
 * rebuilds its view from Kafka), so after a rebalance it seeks past what it has, and a record seen twice
 * (a redelivery) is skipped: counts and histories stay exact.
 */
@ApplicationScoped
public class Positions {

    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();

    /** Claims a record: true the first time an offset beyond the last one of its partition is seen. */
    public boolean claim(String topic, int partition, long offset) {
        boolean[] fresh = {false};
        applied.compute(new TopicPartition(topic, partition), (tp, last) -> {
            if (last == null || offset > last) {
                fresh[0] = true;
                return offset;
            }
            return last;
        });
        return fresh[0];
    }

    public OptionalLong last(TopicPartition partition) {
        Long last = applied.get(partition);
        return last == null ? OptionalLong.empty() : OptionalLong.of(last);
    }
}
