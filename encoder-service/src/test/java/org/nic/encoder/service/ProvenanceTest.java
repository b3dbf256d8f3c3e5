package org.nic.encoder.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which run wrote each chunk of a grid, and two writers at once seen in the store's times (pure logic). */
@SuppressWarnings("unchecked")
class ProvenanceTest {

    static final Instant T = Instant.parse("2026-12-07T03:00:00Z");

    static Map<String, Object> run(String id, String writer, Instant started) {
        return Map.of("run", id, "writer", writer, "startedAt", started.toString());
    }

    @Test
    void aResumedGridAttributesEachChunkToItsRunAndSeesNoOverlap() {
        List<Map<String, Object>> runs = List.of(run("r1", "pod-a/1", T), run("r2", "pod-b/7", T.plusSeconds(30)));
        Map<String, Instant> stored = Map.of("codes/0.0.0", T.plusSeconds(5), "codes/0.0.1", T.plusSeconds(9),
                "codes/0.1.0", T.plusSeconds(40));
        Map<String, Object> p = EncodingService.provenance(stored, Map.of("codes/0.1.0", T.plusSeconds(40)), runs, "r2",
                T.plusSeconds(30));
        assertThat(p.get("chunkRuns")).isEqualTo(Map.of("codes/0.0.0", "r1", "codes/0.0.1", "r1", "codes/0.1.0", "r2"));
        assertThat((List<?>) p.get("concurrentChunks")).isEmpty();
    }

    @Test
    void aChunkStoredByAnotherWriterAfterThisRunBeganIsCaught() {
        List<Map<String, Object>> runs = List.of(run("r1", "pod-a/1", T), run("r2", "pod-b/7", T.plusSeconds(30)));
        // r1 is still writing: one chunk r2 never wrote lands after r2 began, and one r2 wrote is stored again later.
        Map<String, Instant> stored = Map.of("codes/0.0.0", T.plusSeconds(5), "codes/0.0.1", T.plusSeconds(35),
                "codes/0.1.0", T.plusSeconds(50));
        Map<String, Object> p = EncodingService.provenance(stored, Map.of("codes/0.1.0", T.plusSeconds(40)), runs, "r2",
                T.plusSeconds(30));
        assertThat((List<Object>) p.get("concurrentChunks")).containsExactlyInAnyOrder("codes/0.0.1", "codes/0.1.0");
    }

    @Test
    void storeTimesInTheSameSecondAreNotTakenForOverlap() {
        List<Map<String, Object>> runs = List.of(run("r1", "a/1", T), run("r2", "a/1", T.plusMillis(30_400)));
        Map<String, Instant> stored = Map.of("codes/0.0.0", T.plusSeconds(31), "codes/0.0.1", T.plusSeconds(33));
        Map<String, Object> p = EncodingService.provenance(stored, Map.of("codes/0.0.1", T.plusMillis(32_600)), runs, "r2",
                T.plusMillis(30_400));
        assertThat((List<?>) p.get("concurrentChunks")).isEmpty();
    }
}
