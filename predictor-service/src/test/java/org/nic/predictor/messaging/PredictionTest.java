package org.nic.predictor.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.ModelPublished;
import org.nic.event.SlideEncoded;
import org.nic.event.Topics;
import org.nic.grid.CompressedGrid;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.model.TaskKind;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.testing.SyntheticGrids;
import org.nic.training.head.HeadLabel;
import org.nic.training.head.HeadTrainer;

/**
 * Heads published on the compacted topic are picked up without a restart: slide-predicted names the new
 * head version; a head that is not signed by a trusted key, was changed after signing, does not match its hash
 * or asks for more than the limits is refused (dead-lettered with the reason, counted) and the old one keeps
 * serving.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
class PredictionTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final int C = 8;

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    /** How a test head is stored: as the trainer does, or as an attacker or an accident would. */
    enum Publish { SIGNED, CORRUPT_MODEL, UNSIGNED, UNKNOWN_KEY, CARD_CHANGED_AFTER_SIGNING, CROPS_BEYOND_LIMIT }

    double refusedHeads() {
        return metrics.find(org.nic.predictor.service.ActiveHeads.HEADS_METRIC).tag("outcome", "refused").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    double refusedHeads(String reason) {
        var counter = metrics.find(org.nic.predictor.service.ActiveHeads.HEADS_METRIC).tag("outcome", "refused")
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void newHeadsAreServedWithoutRestartAndCorruptOnesAreRefused() throws Exception {
        String encoder = "enc-" + System.nanoTime();
        String task = "score" + System.nanoTime();
        List<CompressedGrid> cohort = new ArrayList<>();
        List<HeadLabel> labels = new ArrayList<>();
        Random r = new Random(4);
        for (int i = 0; i < 32; i++) {
            double signal = r.nextGaussian();
            cohort.add(grid("train" + i, signal, r));
            labels.add(HeadLabel.regression(signal));
        }
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            String slide = "pred-" + System.nanoTime();
            CompressedGrid target = grid(slide, 1.5, r);
            String gridPrefix = StorageLayout.grid(slide, encoder);
            writeGrid(store, gridPrefix, target);

            ModelPublished v1 = publishHead(store, events, task, encoder, "v1", cohort, labels, 1, Publish.SIGNED);
            JsonNode first = predictionFor(events, store, slide, encoder, gridPrefix);
            JsonNode p1 = first.get("predictions").get(0);
            assertThat(p1.get("task").asText()).isEqualTo(task);
            assertThat(p1.get("headVersion").asText()).isEqualTo("v1");
            assertThat(p1.get("value").asDouble()).isFinite();
            // The same grid sent again (a redelivery) is answered under the same CloudEvents id: consumers drop it.
            JsonNode again = predictionFor(events, store, slide, encoder, gridPrefix);
            assertThat(again.get("_ceId").asText()).isEqualTo(first.get("_ceId").asText()).startsWith(slide + ":predicted:");

            // A better head: labels ten times larger, so its values are ten times larger too.
            List<HeadLabel> scaled = labels.stream().map(l -> HeadLabel.regression(l.value() * 10)).toList();
            publishHead(store, events, task, encoder, "v2", cohort, scaled, 1, Publish.SIGNED);
            JsonNode second = awaitVersion(events, store, slide, encoder, gridPrefix, "v2");
            double v2 = second.get("predictions").get(0).get("value").asDouble();
            assertThat(Math.abs(v2)).isGreaterThan(3 * Math.abs(p1.get("value").asDouble()));
            assertThat(second.get("_ceId").asText()).as("another head version, another answer").isNotEqualTo(first.get("_ceId").asText());

            // Heads the predictor must not run, each refused for its own reason (dead-lettered, counted); v2 keeps
            // serving. Each waits until the predictor has handled it, or a check would pass before it was read.
            Map<Publish, String> refusals = new java.util.LinkedHashMap<>();
            refusals.put(Publish.CORRUPT_MODEL, "hash-mismatch");
            refusals.put(Publish.UNSIGNED, "unsigned");
            refusals.put(Publish.UNKNOWN_KEY, "unknown-key");
            refusals.put(Publish.CARD_CHANGED_AFTER_SIGNING, "bad-signature");
            refusals.put(Publish.CROPS_BEYOND_LIMIT, "bad-card");
            int n = 3;
            for (Map.Entry<Publish, String> refusal : refusals.entrySet()) {
                String version = "v" + n++;
                double before = refusedHeads(refusal.getValue());
                var deadFrom = events.endOffsets(Topics.deadLetters(Topics.MODEL_PUBLISHED));
                publishHead(store, events, task, encoder, version, cohort, labels, 1, refusal.getKey());
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (refusedHeads(refusal.getValue()) <= before && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(refusedHeads(refusal.getValue())).as("head %s (%s) refused as %s", version, refusal.getKey(),
                        refusal.getValue()).isEqualTo(before + 1);
                ConsumerRecord<String, byte[]> dead = events.await(deadFrom, rec -> (task + "/" + encoder).equals(rec.key()),
                        TIMEOUT, Topics.deadLetters(Topics.MODEL_PUBLISHED));
                assertThat(EventClient.header(dead, "dead-letter-reason")).contains(version, refusal.getValue());
            }
            JsonNode third = predictionFor(events, store, slide, encoder, gridPrefix);
            assertThat(third.get("predictions").get(0).get("headVersion").asText()).isEqualTo("v2");
            assertThat(v1.task()).isEqualTo(task);

            // A head's files are read no further than a cap: a reader that asks for less gets a refusal, not the bytes.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.get(org.nic.storage.S3Uri.parse(v1.modelUri()), 1024))
                    .isInstanceOf(org.nic.storage.ObjectTooLargeException.class).hasMessageContaining("model.onnx");
        }
    }

    @Test
    void classificationAndSurvivalHeadsAnswerInTheirOwnTerms() throws Exception {
        String encoder = "enc-kinds-" + System.nanoTime();
        List<CompressedGrid> cohort = new ArrayList<>();
        List<HeadLabel> classes = new ArrayList<>();
        List<HeadLabel> survival = new ArrayList<>();
        Random r = new Random(8);
        for (int i = 0; i < 32; i++) {
            double signal = r.nextGaussian();
            cohort.add(grid("k" + i, signal, r));
            classes.add(HeadLabel.classification(signal > 0 ? 1 : 0));
            survival.add(HeadLabel.survival(Math.exp(-signal), true));
        }
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            String slide = "kinds-" + System.nanoTime();
            String prefix = StorageLayout.grid(slide, encoder);
            writeGrid(store, prefix, grid(slide, 1.5, r));
            publishHead(store, events, "growth", encoder, "c1", cohort, classes, 1, Publish.SIGNED, TaskKind.CLASSIFICATION,
                    List.of("desmoplastic", "replacement"));
            publishHead(store, events, "os", encoder, "s1", cohort, survival, 1, Publish.SIGNED, TaskKind.SURVIVAL, List.of());
            JsonNode both = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && (both == null || both.get("predictions").size() < 2)) {
                both = predictionFor(events, store, slide, encoder, prefix);
            }
            assertThat(both.get("predictions")).hasSize(2);
            for (JsonNode p : both.get("predictions")) {
                if (p.get("kind").asText().equals("CLASSIFICATION")) {
                    double a = p.get("probabilities").get("desmoplastic").asDouble();
                    double b = p.get("probabilities").get("replacement").asDouble();
                    assertThat(a + b).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
                    assertThat(a).isBetween(0.0, 1.0);
                    assertThat(p.get("headVersion").asText()).isEqualTo("c1");
                } else {
                    assertThat(p.get("kind").asText()).isEqualTo("SURVIVAL");
                    assertThat(p.get("logRisk").asDouble()).isFinite();
                    assertThat(p.get("headVersion").asText()).isEqualTo("s1");
                    assertThat(p.has("value") && !p.get("value").isNull()).isFalse();
                }
            }

            // The grid loses its tissue chunk: no prediction from zeros, a GRID_CORRUPT failure, and the grid is asked
            // for again (forced, so the encoder does not reuse it); asked once, however often the slide comes back.
            store.delete(store.uri(prefix + "codes/0.0.0"));
            for (int round = 0; round < 2; round++) {
                var from = events.endOffsets(Topics.SLIDE_FAILED, Topics.ENCODE_REQUESTED, Topics.SLIDE_PREDICTED);
                events.publish(EventType.SLIDE_ENCODED, slide, new SlideEncoded(slide, null, store.uri(prefix).toString(), encoder,
                        "b".repeat(64), "s3://x/tiling/" + slide + "/plan.json", "c".repeat(64), C, 20, 20, 256, false, 0, 0, 0,
                        0, 1, 1, "cpu", "test"));
                var failure = events.await(from, rec -> slide.equals(rec.key()), TIMEOUT, Topics.SLIDE_FAILED,
                        Topics.SLIDE_PREDICTED);
                assertThat(failure.topic()).isEqualTo(Topics.SLIDE_FAILED);
                JsonNode failed = EventJson.mapper().readTree(failure.value());
                assertThat(EventJson.validate(EventType.SLIDE_FAILED, failed)).isEmpty();
                assertThat(failed.get("reason").asText()).isEqualTo("GRID_CORRUPT");
                assertThat(failed.get("message").asText()).contains("codes/0.0.0", "missing");
                var request = events.find(from, rec -> slide.equals(rec.key()), Duration.ofSeconds(round == 0 ? 30 : 5),
                        Topics.ENCODE_REQUESTED);
                if (round == 0) {
                    assertThat(request).as("a re-encode request").isPresent();
                    JsonNode asked = EventJson.mapper().readTree(request.get().value());
                    assertThat(EventJson.validate(EventType.ENCODE_REQUESTED, asked)).isEmpty();
                    assertThat(asked.get("encoderId").asText()).isEqualTo(encoder);
                    assertThat(asked.get("force").asBoolean()).isTrue();
                } else {
                    assertThat(request).as("no second request within the quiet period").isEmpty();
                }
            }
        }
    }

    static ModelPublished publishHead(ObjectStore store, EventClient events, String task, String encoder, String version,
                                      List<CompressedGrid> cohort, List<HeadLabel> labels, long seed, Publish how) {
        return publishHead(store, events, task, encoder, version, cohort, labels, seed, how, TaskKind.REGRESSION, List.of());
    }

    /** Trains a small head, uploads it with its card and signature as {@code how} says, and publishes it. */
    static ModelPublished publishHead(ObjectStore store, EventClient events, String task, String encoder, String version,
                                      List<CompressedGrid> cohort, List<HeadLabel> labels, long seed, Publish how,
                                      TaskKind kind, List<String> classNames) {
        HeadTrainer.Result head = HeadTrainer.train(cohort, labels,
                new HeadTrainer.Settings(kind, classNames.size(), 16, 6, 8, 3e-3f, seed));
        byte[] onnx = head.onnx();
        String sha = Sha256.hex(onnx);
        String prefix = StorageLayout.head(task, version);
        ModelCard card = new ModelCard(task + "-" + version, "head", "model.onnx", sha, "onnx", "grid", "output", "gigapixel",
                0, List.of(task), "test", seed, Map.of(), "test", "Apache-2.0", "test", Instant.now(),
                Map.of("crop", head.crop(), "crops", how == Publish.CROPS_BEYOND_LIMIT ? 100_000 : 4, "encoderId", encoder,
                        "kind", kind.name(), "classes", classNames));
        byte[] cardBytes = EventJson.toBytes(card);
        org.nic.trust.SigningKey key = how == Publish.UNKNOWN_KEY ? untrustedKey() : org.nic.testing.TestKeys.key();
        org.nic.trust.HeadSignature signature = key.sign(onnx, cardBytes, "prediction-test");
        if (how == Publish.CARD_CHANGED_AFTER_SIGNING) {
            cardBytes = new String(cardBytes, java.nio.charset.StandardCharsets.UTF_8).replace("\"crops\":4", "\"crops\":5")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        store.put(prefix + "model.onnx", how == Publish.CORRUPT_MODEL ? "garbage".getBytes() : onnx, "application/octet-stream");
        store.put(prefix + "card.json", cardBytes, "application/json");
        if (how != Publish.UNSIGNED) {
            store.put(prefix + org.nic.trust.HeadSignature.FILE_NAME, EventJson.toBytes(signature), "application/json");
        }
        String metric = switch (kind) {
            case REGRESSION -> "spearman";
            case CLASSIFICATION -> "auc";
            case SURVIVAL -> "c-index";
        };
        ModelPublished event = new ModelPublished(task, kind.name(), encoder, version, store.uri(prefix + "model.onnx").toString(),
                sha, store.uri(prefix + "card.json").toString(), metric, 0.9, 10, "test");
        assertThat(EventJson.validate(EventType.MODEL_PUBLISHED, event)).isEmpty();
        events.publish(EventType.MODEL_PUBLISHED, event.key(), event);
        return event;
    }

    /** A key pair no service trusts. */
    static org.nic.trust.SigningKey untrustedKey() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("untrusted");
            org.nic.trust.SigningKey.generate(dir.resolve("k"), dir.resolve("k.pub"));
            return org.nic.trust.SigningKey.read(dir.resolve("k"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JsonNode awaitVersion(EventClient events, ObjectStore store, String slide, String encoder, String prefix,
                                 String version) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = predictionFor(events, store, slide, encoder, prefix);
            if (last.get("predictions").get(0).get("headVersion").asText().equals(version)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("head " + version + " never served; last: " + last);
    }

    static JsonNode predictionFor(EventClient events, ObjectStore store, String slide, String encoder, String prefix)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var from = events.endOffsets(Topics.SLIDE_PREDICTED);
            events.publish(EventType.SLIDE_ENCODED, slide, new SlideEncoded(slide, null, store.uri(prefix).toString(), encoder,
                    "b".repeat(64), "s3://x/tiling/" + slide + "/plan.json", "c".repeat(64), C, 20, 20, 256, false, 0, 0, 0, 0,
                    1, 1, "cpu", "test"));
            // None within 10 s: no head active for this encoder yet (the model-published record is on its way).
            var found = events.find(from, r -> slide.equals(r.key()), Duration.ofSeconds(10), Topics.SLIDE_PREDICTED);
            if (found.isPresent()) {
                JsonNode json = EventJson.mapper().readTree(found.get().value());
                assertThat(EventJson.validate(EventType.SLIDE_PREDICTED, json)).isEmpty();
                assertThat(EventClient.header(found.get(), "ce_type")).isEqualTo("org.nic.slide.predicted.v1");
                // The CloudEvents id, kept beside the payload for the tests that compare ids.
                ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("_ceId", EventClient.header(found.get(), "ce_id"));
                return json;
            }
        }
        throw new AssertionError("no slide-predicted for " + slide);
    }

    static CompressedGrid grid(String slide, double signal, Random r) {
        return SyntheticGrids.grid(slide, C, signal, r);
    }

    static void writeGrid(ObjectStore store, String prefix, CompressedGrid g) {
        SyntheticGrids.write(store, prefix, g);
    }
}
