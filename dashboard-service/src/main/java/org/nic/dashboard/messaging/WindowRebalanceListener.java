package org.nic.dashboard.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.nic.dashboard.board.ModelBoard;
import org.nic.dashboard.config.DashboardConfig;

/**
 * Where reading starts on each assigned partition: past what is already folded in; else, on slide topics
 * and dead letters, at the start of the recent window ({@code nic.dashboard.window}); model topics whole.
 */
@ApplicationScoped
@Identifier("nic-dashboard-window")
public class WindowRebalanceListener implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(WindowRebalanceListener.class);

    private final Positions positions;
    private final DashboardConfig config;

    public WindowRebalanceListener(Positions positions, DashboardConfig config) {
        this.positions = positions;
        this.config = config;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        long since = Instant.now().minus(config.window()).toEpochMilli();
        Map<TopicPartition, Long> windowed = new HashMap<>();
        for (TopicPartition tp : partitions) {
            var last = positions.last(tp);
            if (last.isPresent()) {
                consumer.seek(tp, last.getAsLong() + 1);
            } else if (ModelBoard.isModelTopic(tp.topic())) {
                consumer.seekToBeginning(java.util.List.of(tp));
            } else {
                windowed.put(tp, since);
            }
        }
        if (windowed.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(windowed);
        Map<TopicPartition, Long> ends = consumer.endOffsets(windowed.keySet());
        for (TopicPartition tp : windowed.keySet()) {
            OffsetAndTimestamp start = starts.get(tp);
            consumer.seek(tp, start != null ? start.offset() : ends.getOrDefault(tp, 0L));
        }
        LOG.debugf("reading %d partitions from %s", windowed.size(), Instant.ofEpochMilli(since));
    }
}
