package org.nic.encoder.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.encoder.service.EncodingServiceTestSeam;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.Topics;
import org.nic.service.messaging.StageConfig;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.tiling.SlidePlan;

/**
 * Liveness judges a slide by its own progress, not by how long its record waited (issue 24, point 6): a backlog of
 * slides each longer than the stall timeout keeps the encoder live and all are encoded; a slide whose work stops
 * moving makes it not live, naming the slide, until it moves again. The test profile sets the stall timeout to 2 s
 * and progress every 200 ms; a test seam slows or stops the progress reports.
 */
@QuarkusTest
@QuarkusTestResource(org.nic.testing.NicTestResource.class)
class BacklogLivenessTest {

    static final int BACKLOG = 20;

    @TestHTTPResource("/q/health/live")
    URL live;

    @Inject
    EncodingServiceTestSeam seam;

    @Inject
    StageConfig stages;

    private final HttpClient http = HttpClient.newHttpClient();

    /** One answer of the liveness endpoint. */
    record Probe(Instant at, int status, String body) {
    }

    @Test
    void twentySlidesQueuedEachLongerThanTheStallTimeoutKeepTheEncoderLiveAndAreAllEncoded() throws Exception {
        Duration stall = stages.stallTimeout();
        // SmallRye's own check counts an unacknowledged record's age from its poll: off on both slide channels.
        for (String channel : List.of("slide-tiled", "encode-requested")) {
            assertThat(ConfigProvider.getConfig().getValue("mp.messaging.incoming." + channel
                    + ".throttled.unprocessed-record-max-age.ms", Integer.class)).as(channel).isLessThanOrEqualTo(0);
        }
        String run = "backlog-" + System.nanoTime() + "-";
        SlidePlan plan = EncodingTest.storePlan(run + 0);
        List<String> slides = new ArrayList<>();
        try (ObjectStore store = EncodingTest.store()) {
            for (int i = 0; i < BACKLOG; i++) {
                String id = run + i;
                slides.add(id);
                if (i > 0) {
                    store.put(StorageLayout.plan(id), EventJson.toBytes(copyOf(plan, id)), "application/json");
                }
            }
        }
        // Every slide sleeps at each progress report: each takes longer than the stall timeout, yet reports often.
        seam.pauseAtProgress(stall.toMillis() / 4, 0);
        List<Probe> probes = new CopyOnWriteArrayList<>();
        ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor();
        try (EventClient events = EncodingTest.events(); ObjectStore store = EncodingTest.store()) {
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            Instant published = Instant.now();
            for (String id : slides) {
                events.publish(EventType.SLIDE_TILED, id, EncodingTest.tiled(id, copyOf(plan, id)));
            }
            prober.scheduleAtFixedRate(() -> probes.add(probe()), 0, 250, TimeUnit.MILLISECONDS);
            List<Instant[]> runs = new ArrayList<>();
            for (String id : slides) {
                ConsumerRecord<String, byte[]> r = events.await(from, x -> id.equals(x.key()),
                        Duration.ofSeconds(60 + 10L * BACKLOG), Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
                assertThat(r.topic()).as(new String(r.value())).isEqualTo(Topics.SLIDE_ENCODED);
                JsonNode attrs = EventJson.mapper().readTree(store.get(store.uri(StorageLayout.grid(id,
                        seam.defaultEncoderId()) + ".zattrs")));
                runs.add(new Instant[] {Instant.parse(attrs.at("/nic/run/startedAt").asText()),
                        Instant.parse(attrs.at("/nic/run/finishedAt").asText())});
            }
            prober.shutdown();
            assertThat(prober.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            // The premise: every slide took longer than the stall timeout, and the last waited for many of them.
            for (Instant[] r : runs) {
                assertThat(Duration.between(r[0], r[1])).isGreaterThan(stall);
            }
            Instant lastStart = runs.stream().map(r -> r[0]).max(Instant::compareTo).orElseThrow();
            assertThat(Duration.between(published, lastStart)).isGreaterThan(stall.multipliedBy(BACKLOG / 2));
            // And liveness said UP all along.
            assertThat(probes).hasSizeGreaterThan(BACKLOG);
            assertThat(probes).allSatisfy(p -> assertThat(p.status()).as("%s at %s", p.body(), p.at()).isEqualTo(200));
        } finally {
            prober.shutdownNow();
            seam.pauseAtProgress(0, 0);
        }
    }

    @Test
    void aSlideWhoseWorkStopsMovingMakesTheEncoderNotLiveUntilItMovesAgain() throws Exception {
        Duration stall = stages.stallTimeout();
        String id = "stalled-" + System.nanoTime();
        SlidePlan plan = EncodingTest.storePlan(id);
        assertThat(probe().status()).isEqualTo(200);
        seam.pauseAtProgress(0, stall.toMillis() * 3);
        try (EventClient events = EncodingTest.events()) {
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            events.publish(EventType.SLIDE_TILED, id, EncodingTest.tiled(id, plan));
            Probe down = null;
            Instant deadline = Instant.now().plusSeconds(60);
            while (down == null && Instant.now().isBefore(deadline)) {
                Probe p = probe();
                if (p.status() == 503) {
                    down = p;
                }
                Thread.sleep(200);
            }
            assertThat(down).as("liveness went DOWN while the slide was quiet").isNotNull();
            JsonNode check = check(down.body());
            assertThat(check.get("status").asText()).isEqualTo("DOWN");
            assertThat(check.at("/data/" + id).asText()).startsWith("encoding: no progress for");
            ConsumerRecord<String, byte[]> r = events.await(from, x -> id.equals(x.key()), EncodingTest.TIMEOUT,
                    Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            assertThat(r.topic()).as(new String(r.value())).isEqualTo(Topics.SLIDE_ENCODED);
            Probe after = probe();
            assertThat(after.status()).as(after.body()).isEqualTo(200);
            assertThat(check(after.body()).at("/data/inWork").asInt()).isZero();
        } finally {
            seam.pauseAtProgress(0, 0);
        }
    }

    private Probe probe() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(live.toString()))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new Probe(Instant.now(), r.statusCode(), r.body());
        } catch (Exception e) {
            return new Probe(Instant.now(), -1, String.valueOf(e));
        }
    }

    private static JsonNode check(String body) throws Exception {
        for (JsonNode c : EventJson.mapper().readTree(body).get("checks")) {
            if (c.get("name").asText().equals("slide-progress")) {
                return c;
            }
        }
        throw new AssertionError("no slide-progress check in " + body);
    }

    private static SlidePlan copyOf(SlidePlan plan, String slideId) {
        return new SlidePlan(plan.formatVersion(), slideId, plan.slideUri(), plan.identity(), plan.slide(), plan.grid(),
                plan.tissue(), plan.tissueCells(), plan.tiler());
    }
}
