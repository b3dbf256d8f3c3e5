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

/** A slide over the configured pixel or cell limit is refused before any planning. */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
@TestProfile(PixelLimitTest.SmallLimit.class)
class PixelLimitTest {

    /** 1 MP: CMU-1 (2220 x 2967) is over it; 10,000 cells. */
    public static class SmallLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nic.tiling.max-pixels", "1000000", "nic.tiling.max-cells", "10000");
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

    @Test
    void aSpacingThatMakesTooManyCellsFailsBeforeAnythingIsSizedByIt() throws Exception {
        // boxes.tiff is 300 x 250 px: at 50 um/px (plausible for a slide, not for this one) its cells are 1.28 px.
        String slideId = TilerTestSupport.newSlideId("cells");
        try (EventClient events = TilerTestSupport.events()) {
            var from = events.endOffsets(Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
            events.publish(org.nic.event.EventType.SLIDE_ARRIVED, slideId, new org.nic.event.SlideArrived(slideId,
                    "file:" + TilerTestSupport.slideFile("boxes.tiff").toAbsolutePath(), null, null, 50.0));
            ConsumerRecord<String, byte[]> record = events.await(from, r -> slideId.equals(r.key()), TilerTestSupport.TIMEOUT,
                    Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
            assertThat(record.topic()).as(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(Topics.SLIDE_FAILED);
            SlideFailed failed = EventJson.mapper().readValue(record.value(), SlideFailed.class);
            assertThat(failed.reason()).isEqualTo(FailureReason.SLIDE_TOO_LARGE);
            assertThat(failed.message()).contains("195 x 234 cells", "10000");
        }
    }
}
