package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.nic.cli.EventClient;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.slide.SyntheticSlides;
import org.nic.slide.TestSlides;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.testing.ServiceProcess;

/**
 * Faults on the way, with every part of NIC a process of its own ({@link Pipeline}): each service killed
 * with SIGKILL in the middle of its work and started again, the object store down for 30 s while a slide
 * is encoded and another tiled, the broker killed and restarted during a run. Every slide that goes in comes
 * out: one grid per slide and encoder, one answer per slide and head version. At-least-once delivery may
 * repeat an event, and when it does the repeat carries the same CloudEvents id, which is what consumers
 * drop duplicates by: the tests count distinct ids, and check that repeats are identical in that sense.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultTest {

    static final Duration TIMEOUT = Duration.ofMinutes(4);
    static final String HEAD_KEY = Pipeline.TASK + "/" + Pipeline.ENCODER;
    static final int LABELS = 60;

    Path dir;
    Path slideFile;
    Pipeline nic;
    EventTap tap;
    EventClient events;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("nic-faults");
        // 8,000 x 8,000 px of real H&E at 0.5 um/px: 62 x 62 cells, seconds of encoding, long enough to kill in.
        slideFile = SyntheticSlides.pyramid(dir.resolve("slides/he-8000.tif"), 8);
        nic = Pipeline.start(dir, List.of(dir.resolve("slides"), TestSlides.data().resolve("slides")), LABELS);
        tap = new EventTap(nic.kafka.bootstrapServers(), nic.admin());
        events = new EventClient(nic.kafka.bootstrapServers(), nic.admin());
    }

    @AfterAll
    void stop() {
        if (events != null) {
            events.close();
        }
        if (tap != null) {
            tap.close();
        }
        if (nic != null) {
            nic.close();
        }
    }

    @Test
    @Order(1)
    void theTrainerKilledWhileTrainingPublishesItsHeadOnceAfterItsRestart() throws Exception {
        nic.publishLabels(events, LABELS, 5);
        ServiceProcess trainer = nic.service("trainer-service");
        String training = "task " + Pipeline.TASK + ": training a head";
        await(() -> log(trainer).contains(training), "the trainer starts training");
        boolean finishedBeforeKill = finishedRuns(trainer) > 0;
        trainer.kill();
        trainer.restart();
        tap.await(Topics.MODEL_PUBLISHED, e -> HEAD_KEY.equals(e.key()), TIMEOUT);
        tap.await(Topics.MODEL_DECIDED, e -> HEAD_KEY.equals(e.key()) && "PUBLISHED".equals(e.text("decision")), TIMEOUT);
        // The restarted trainer reads the compacted labels whole and trains again; wait for that run to end.
        await(() -> count(log(trainer), training) >= 2 && finishedRuns(trainer) >= count(log(trainer), training) - 1,
                "the restarted trainer's run ends");
        assertThat(finishedBeforeKill).as("the trainer was killed in the middle of a run").isFalse();
        assertThat(tap.on(Topics.MODEL_PUBLISHED, HEAD_KEY)).as("one head published").hasSize(1);
        assertThat(tap.on(Topics.MODEL_DECIDED, HEAD_KEY).stream().filter(e -> "PUBLISHED".equals(e.text("decision"))))
                .hasSize(1);
    }

    @Test
    @Order(2)
    void everySlideComesOutOnceWhenEachServiceIsKilledInTheMiddleOfItsWork() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        Set<String> slides = new LinkedHashSet<>();
        for (int i = 0; i < 3; i++) {
            slides.add("kill-" + i + "-" + run);
        }
        slides.forEach(this::arrive);

        // The tiler dies once it has tiled the first slide, with the others waiting or in work.
        tap.await(Topics.SLIDE_TILED, e -> slides.contains(e.key()), TIMEOUT);
        restartKilled("tiler-service");
        // The encoder dies a third of the way through a slide: one it has not finished yet (the tiler's restart can
        // outlast the first slide's encoding, and its progress records are still in the tap).
        EventTap.Event midway = tap.await(Topics.SLIDE_PROGRESS, e -> slides.contains(e.key())
                && e.json().get("done").asInt() >= e.json().get("total").asInt() / 3
                && e.json().get("done").asInt() < e.json().get("total").asInt()
                && tap.on(Topics.SLIDE_ENCODED, e.key()).isEmpty(), TIMEOUT);
        restartKilled("encoder-service");
        // The predictor dies once it has answered the first.
        tap.await(Topics.SLIDE_PREDICTED, e -> slides.contains(e.key()), TIMEOUT);
        restartKilled("predictor-service");

        awaitPredicted(slides);
        assertOnceEach(slides);
        assertThat(tap.on(Topics.SLIDE_ENCODED, midway.key())).as("the slide the encoder died in resumed from its chunks")
                .anyMatch(e -> e.json().get("resumedCells").asInt() > 0);
    }

    @Test
    @Order(8)
    void aSlideThatKillsTheTilerEndsFailedOnceAfterThreeCrashesAndTheOthersFlow() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        String poison = Pipeline.POISON + run;
        Set<String> good = new LinkedHashSet<>(List.of("after-poison-0-" + run, "after-poison-1-" + run));
        arrive(poison);
        good.forEach(this::arrive);
        // The platform's restarts, as Kubernetes would make them: each time the tiler's JVM has died, start it again.
        ServiceProcess tiler = nic.service("tiler-service");
        int restarts = 0;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && tap.on(Topics.SLIDE_FAILED, poison).stream()
                .noneMatch(e -> "CRASHED_REPEATEDLY".equals(e.text("reason")))) {
            if (!tiler.alive()) {
                restarts++;
                tiler.restart();
            }
            Thread.sleep(200);
        }
        List<EventTap.Event> failures = tap.on(Topics.SLIDE_FAILED, poison);
        assertThat(failures).as("the poison slide's failures; tiler log:%n%s", log(tiler)).hasSize(1);
        assertThat(failures.get(0).text("reason")).isEqualTo("CRASHED_REPEATEDLY");
        assertThat(failures.get(0).text("stage")).isEqualTo("tiling");
        assertThat(failures.get(0).json().get("retrying").asBoolean()).isFalse();
        assertThat(failures.get(0).text("message")).contains("died 3 times");
        assertThat(restarts).as("the tiler died in the slide's work, once per start, until the ledger stopped it").isEqualTo(3);
        assertThat(tap.on(Topics.SLIDE_TILED, poison)).isEmpty();
        // The slides behind it flow on (encoded: whether a head answers them is the other tests' business).
        tap.awaitAll(Topics.SLIDE_ENCODED, good, e -> true, TIMEOUT);
        try (ObjectStore store = nic.store()) {
            assertThat(store.exists(store.uri("attempts/tiling/" + poison + ".json"))).as("the crash marker is cleared").isFalse();
        }
        assertThat(tiler.alive()).isTrue();
    }

    @Test
    @Order(3)
    void slidesGoThroughA30SecondStoreOutageDuringEncodingTilingAndAPredictorRestart() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        String encoding = "outage-encoding-" + run;
        String tiling = "outage-tiling-" + run;
        arrive(encoding);
        tap.await(Topics.SLIDE_PROGRESS, e -> encoding.equals(e.key()) && e.json().get("done").asInt() > 0
                && e.json().get("done").asInt() < e.json().get("total").asInt(), TIMEOUT);
        long down = System.nanoTime();
        nic.s3.kill();
        arrive(tiling);
        // The predictor also dies and starts while the store is down: it must not lose its head to the outage.
        ServiceProcess predictor = nic.service("predictor-service");
        predictor.kill();
        java.util.concurrent.CompletableFuture<Void> restarted = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                predictor.restart(); // ready only once the store answers and the heads on the topic are read
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        EventTap.pause(30_000 - (System.nanoTime() - down) / 1_000_000);
        nic.s3.start();
        restarted.join();

        Set<String> slides = Set.of(encoding, tiling);
        awaitPredicted(slides);
        assertOnceEach(slides);
        // The outage outlasted the stages' own retries (10 s here): NIC said so, and drove the slides again itself.
        List<EventTap.Event> attempts = slides.stream().flatMap(s -> tap.on(Topics.SLIDE_FAILED, s).stream()).toList();
        assertThat(attempts).as("attempts that failed while the store was down").isNotEmpty()
                .allSatisfy(e -> {
                    assertThat(e.text("reason")).isEqualTo("STORAGE_UNAVAILABLE");
                    assertThat(e.json().get("retrying").asBoolean()).isTrue();
                });
        assertThat(attempts.stream().map(e -> e.text("stage")).collect(Collectors.toSet())).contains("tiling");
    }

    @Test
    @Order(4)
    void theServicesRideOverABrokerRestartDuringARun() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        String during = "broker-during-" + run;
        String after = "broker-after-" + run;
        arrive(during);
        tap.await(Topics.SLIDE_PROGRESS, e -> during.equals(e.key()) && e.json().get("done").asInt() > 0, TIMEOUT);
        nic.kafka.kill();
        EventTap.pause(8_000);
        nic.kafka.start();
        arrive(after);

        Set<String> slides = Set.of(during, after);
        awaitPredicted(slides);
        assertOnceEach(slides);
    }

    @Test
    @Order(5)
    void aSlideIsOneTraceFromArrivalToPrediction() throws Exception {
        String slide = "traced-" + Long.toString(System.nanoTime(), 36);
        String traceId = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
        String scannerSpan = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(8));
        events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + slideFile.toAbsolutePath(),
                "fault-scanner", "case-" + slide, null), java.util.Map.of("traceparent", "00-" + traceId + "-" + scannerSpan + "-01"));
        awaitPredicted(Set.of(slide));
        // The tiler continues the scanner's trace, the encoder the tiler's, the predictor the encoder's: every
        // record the slide made, progress included, is in the one trace.
        for (String topic : List.of(Topics.SLIDE_TILED, Topics.SLIDE_PROGRESS, Topics.SLIDE_ENCODED, Topics.SLIDE_PREDICTED)) {
            assertThat(tap.on(topic, slide)).as("%s records of %s", topic, slide).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.traceId()).as("trace of %s", topic).isEqualTo(traceId));
        }
        assertThat(tap.on(Topics.SLIDE_TILED, slide).get(0).traceparent()).as("a span of the tiler's own")
                .doesNotContain(scannerSpan);
    }

    @Test
    @Order(6)
    void noServiceLogNamesASlidesFileItsCaseOrTheAllowedRoots() throws Exception {
        String suffix = Long.toString(System.nanoTime(), 36);
        String demo = "private-demo-" + suffix;
        String cased = "private-case-" + suffix;
        String broken = "private-broken-" + suffix;
        String caseId = "PATIENT-" + suffix.toUpperCase(java.util.Locale.ROOT);
        String brokenCase = "PATIENT-B" + suffix.toUpperCase(java.util.Locale.ROOT);
        Path demoFile = TestSlides.data().resolve("slides/CMU-1-Small-Region.svs").toAbsolutePath();
        Path brokenFile = TestSlides.data().resolve("slides/invalid/unopenable.tiff").toAbsolutePath();
        events.publish(EventType.SLIDE_ARRIVED, demo, new SlideArrived(demo, "file:" + demoFile, "fault-scanner", null, null));
        events.publish(EventType.SLIDE_ARRIVED, cased, new SlideArrived(cased, "file:" + slideFile.toAbsolutePath(),
                "fault-scanner", caseId, null));
        events.publish(EventType.SLIDE_ARRIVED, broken, new SlideArrived(broken, "file:" + brokenFile, "fault-scanner",
                brokenCase, null));
        awaitPredicted(Set.of(demo, cased));
        tap.awaitAll(Topics.SLIDE_FAILED, Set.of(broken), e -> true, TIMEOUT);
        // The operator's copy of the URI stays in the event's own field; the message for people names none of it.
        EventTap.Event failure = tap.on(Topics.SLIDE_FAILED, broken).get(0);
        assertThat(failure.json().path("uri").asText()).isEqualTo("file:" + brokenFile);
        assertThat(failure.json().path("message").asText()).doesNotContain("unopenable", brokenFile.getParent().toString());

        List<String> forbidden = List.of("CMU-1-Small-Region", "he-8000", "unopenable", caseId, brokenCase,
                dir.resolve("slides").toString(), TestSlides.data().resolve("slides").toAbsolutePath().normalize().toString());
        for (var service : nic.services.values()) {
            String log = service.log();
            assertThat(log).as("%s's log", service.module()).contains("started in");
            for (String secret : forbidden) {
                assertThat(log).as("%s's log names %s", service.module(), secret).doesNotContain(secret);
            }
        }
    }

    @Test
    @Order(7)
    void theBrokerRefusesAPrincipalWithoutTheAclAClientWithoutCredentialsAndAnotherCa() throws Exception {
        String key = "forged-task/" + Pipeline.ENCODER;
        org.nic.event.ModelPublished forged = new org.nic.event.ModelPublished("forged-task", "REGRESSION", Pipeline.ENCODER, "v1",
                "s3://nic/models/heads/forged-task/v1/model.onnx", "a".repeat(64), "s3://nic/models/heads/forged-task/v1/card.json",
                "spearman", 1.0, 10, "forged");
        // The predictor's own principal may read heads, not publish them.
        try (EventClient predictor = new EventClient(nic.kafka.bootstrapServers(), quick(nic.kafka.security("nic-predictor")))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> predictor.publish(EventType.MODEL_PUBLISHED, key, forged))
                    .hasStackTraceContaining("TopicAuthorizationException");
        }
        // The dashboard's may write nothing at all.
        try (EventClient dashboard = new EventClient(nic.kafka.bootstrapServers(), quick(nic.kafka.security("nic-dashboard")))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dashboard.publish(EventType.SLIDE_ARRIVED, "x",
                    new SlideArrived("x", "file:/x.svs", null, null, null)))
                    // Refused before any topic: a principal that may write nowhere cannot even start a producer.
                    .hasStackTraceContaining("AuthorizationException");
        }
        // No credentials, a wrong password, a CA the client does not trust: no connection at all.
        java.util.Properties none = quick(new java.util.Properties());
        try (EventClient anonymous = new EventClient(nic.kafka.bootstrapServers(), none)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> anonymous.publish(EventType.MODEL_PUBLISHED, key, forged))
                    .isInstanceOf(IllegalStateException.class);
        }
        java.util.Properties wrong = quick(nic.kafka.security("nic-trainer"));
        wrong.put("sasl.jaas.config", org.nic.cli.KafkaAccess.jaas("nic-trainer", "not-its-password"));
        try (EventClient impostor = new EventClient(nic.kafka.bootstrapServers(), wrong)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> impostor.publish(EventType.MODEL_PUBLISHED, key, forged))
                    .hasStackTraceContaining("SaslAuthenticationException");
        }
        Path otherCa = org.nic.cli.KafkaTls.generate(dir.resolve("other-ca"), "Another CA").caCertificate();
        java.util.Properties foreign = quick(nic.kafka.security("nic-trainer"));
        foreign.put("ssl.truststore.location", otherCa.toString());
        try (EventClient stranger = new EventClient(nic.kafka.bootstrapServers(), foreign)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.publish(EventType.MODEL_PUBLISHED, key, forged))
                    .hasStackTraceContaining("SSLHandshakeException");
        }
        assertThat(tap.on(Topics.MODEL_PUBLISHED, key)).as("nothing reached the heads topic").isEmpty();
        // The trainer's own principal may publish heads: the refusals above were the ACLs', not the topic's.
        try (EventClient trainer = new EventClient(nic.kafka.bootstrapServers(), quick(nic.kafka.security("nic-trainer")))) {
            trainer.publish(EventType.MODEL_PUBLISHED, key, forged);
        }
        tap.await(Topics.MODEL_PUBLISHED, e -> key.equals(e.key()), TIMEOUT);
        // ... and the predictor refuses that one: it is not signed (the broker is not the only check).
        tap.await(Topics.deadLetters(Topics.MODEL_PUBLISHED), e -> key.equals(e.key()), TIMEOUT);
    }

    /** A client that gives up within seconds, for the refusals. */
    static java.util.Properties quick(java.util.Properties security) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(security);
        p.put("max.block.ms", "8000");
        p.put("delivery.timeout.ms", "10000");
        p.put("request.timeout.ms", "5000");
        return p;
    }

    void arrive(String slide) {
        events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + slideFile.toAbsolutePath(),
                "fault-scanner", "case-" + slide, null));
    }

    void restartKilled(String module) throws IOException {
        ServiceProcess service = nic.service(module);
        service.kill();
        assertThat(service.alive()).isFalse();
        service.restart();
    }

    void awaitPredicted(Set<String> slides) {
        try {
            tap.awaitAll(Topics.SLIDE_PREDICTED, slides, e -> true, TIMEOUT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nfailures: " + slides.stream()
                    .flatMap(s -> tap.on(Topics.SLIDE_FAILED, s).stream()).map(EventTap.Event::json).toList() + nic.logs(), e);
        }
    }

    /** One plan, one grid and one answer per head version for each slide; repeats share their CloudEvents id. */
    void assertOnceEach(Set<String> slides) throws Exception {
        try (ObjectStore store = nic.store()) {
            for (String slide : slides) {
                assertThat(tap.on(Topics.SLIDE_ENCODED, slide)).as("%s encoded", slide).isNotEmpty();
                assertThat(tap.on(Topics.SLIDE_PREDICTED, slide)).as("%s answered", slide).isNotEmpty();
                assertThat(SlideOutputs.duplicates(tap, store, slide)).as("%s: each output once", slide).isEmpty();
                assertThat(SlideOutputs.givenUp(tap, slide)).as("%s never given up on", slide).isFalse();
                assertThat(store.exists(store.uri(StorageLayout.grid(slide, Pipeline.ENCODER) + ".zgroup"))).isTrue();
            }
        }
    }

    static int finishedRuns(ServiceProcess trainer) {
        String log = log(trainer);
        return count(log, "task " + Pipeline.TASK + ": published") + count(log, "task " + Pipeline.TASK + ": not published");
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    static String log(ServiceProcess service) {
        try {
            return service.log();
        } catch (IOException e) {
            return "";
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            EventTap.pause(100);
        }
        throw new AssertionError(what + " did not happen within " + TIMEOUT);
    }
}
