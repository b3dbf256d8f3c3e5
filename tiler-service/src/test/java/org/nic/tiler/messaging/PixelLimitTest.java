package org.nic.tiler.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.FailureReason;
import org.nic.event.SlideFailed;
import org.nic.event.Topics;
import org.nic.testing.NicTestResource;
import org.nic.tiler.TilerTestSupport;

/** A slide over the configured pixel limit is refused before any planning. */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
@TestProfile(PixelLimitTest.SmallLimit.class)
class PixelLimitTest {

    /** 1 MP: CMU-1 (2220 x 2967) is over it. */
    public static class SmallLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nic.tiling.max-pixels", "1000000");
        }
    }

    @Test
    void slideOverTheLimitFailsWithItsSize() throws Exception {
        String slideId = TilerTestSupport.newSlideId("huge");
        try (EventClient events = TilerTestSupport.events()) {
            ConsumerRecord<String, byte[]> record = TilerTestSupport.submit(events, slideId,
                    "file:" + TilerTestSupport.slideFile("CMU-1-Small-Region.svs").toAbsolutePath());
            assertThat(record.topic()).as(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(Topics.SLIDE_FAILED);
            TilerTestSupport.checkedPayload(record);
            SlideFailed failed = EventJson.mapper().readValue(record.value(), SlideFailed.class);
            assertThat(failed.reason()).isEqualTo(FailureReason.SLIDE_TOO_LARGE);
            assertThat(failed.message()).contains("2220 x 2967", "1000000");
        }
    }
}
