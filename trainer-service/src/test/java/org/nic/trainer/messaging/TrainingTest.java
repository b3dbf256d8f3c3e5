package org.nic.trainer.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.LabelRecorded;
import org.nic.event.Topics;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageLayout;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.testing.SyntheticGrids;
import org.nic.trainer.service.HeadTrainingService;

/**
 * Labels in, a head out: on grids with a known signal the trainer publishes a head whose held-out Spearman
 * is far above the baseline; the same data again does not beat it and is not published; labels that cannot
 * be trained on are dead-lettered with their reason.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
class TrainingTest {

    static final Duration TIMEOUT = Duration.ofSeconds(180);

    @Inject
    HeadTrainingService training;

    @Inject
    org.nic.trainer.service.LabelStore labels;

    @Test
    void labelsBecomeAPublishedHeadAndAnEqualChallengerIsNotPublished() throws Exception {
        Random r = new Random(21);
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            var from = events.endOffsets(Topics.MODEL_PUBLISHED);
            var decisions = events.endOffsets(Topics.MODEL_DECIDED);
            scoredSlides(events, store, r, 0, 60);
            ConsumerRecord<String, byte[]> record = events.await(from, rec -> "test-score/test-encoder".equals(rec.key()),
                    TIMEOUT, Topics.MODEL_PUBLISHED);
            JsonNode published = EventJson.mapper().readTree(record.value());
            assertThat(EventJson.validate(EventType.MODEL_PUBLISHED, published)).isEmpty();
            assertThat(EventClient.header(record, "ce_source")).isEqualTo("urn:nic:trainer");
            assertThat(published.get("metric").asText()).isEqualTo("spearman");
            assertThat(published.get("heldOutSlides").asInt()).isGreaterThanOrEqualTo(5);
            assertThat(published.get("heldOutMetric").asDouble()).as("held-out Spearman vs a baseline of 0").isGreaterThan(0.5);
            assertThat(published.get("gainLower").asDouble()).as("lower bound of the gain over the baseline").isPositive();
            assertThat(published.get("heldOutLower").asDouble()).isLessThanOrEqualTo(published.get("heldOutMetric").asDouble())
                    .isPositive();
            byte[] model = store.get(S3Uri.parse(published.get("modelUri").asText()));
            assertThat(Sha256.hex(model)).isEqualTo(published.get("sha256").asText());
            ModelCard card = EventJson.mapper().readValue(store.get(S3Uri.parse(published.get("cardUri").asText())), ModelCard.class);
            assertThat(card.sha256()).isEqualTo(published.get("sha256").asText());
            assertThat(card.properties()).containsEntry("encoderId", "test-encoder").containsKey("labelSnapshot");
            // Signed by the trainer's key over the files as stored.
            org.nic.trust.HeadSignature signature = EventJson.mapper().readValue(store.get(S3Uri.parse(
                    org.nic.trust.HeadSignature.besideCard(published.get("cardUri").asText()))), org.nic.trust.HeadSignature.class);
            assertThat(signature.keyId()).isEqualTo(org.nic.testing.TestKeys.key().keyId());
            assertThat(signature.signedBy()).startsWith("nic-trainer/");
            org.nic.trust.TrustedKeys.read(java.util.List.of(org.nic.testing.TestKeys.trustedKeys()))
                    .verify(signature, model, store.get(S3Uri.parse(published.get("cardUri").asText())));
            // The head type is chosen and judged without the held-out slides; once the gate passed, the same candidate is
            // trained again on all 60, and the card lists them.
            assertThat(((Number) card.properties().get("trainedOnSlides")).intValue()).isEqualTo(60);
            assertThat(card.properties()).containsEntry("refitOnAllLabelled", true);
            assertThat((java.util.List<?>) card.properties().get("trainedOnSlideIds")).hasSize(60);

            // Asked again with the same labels (as a restart or the schedule would): nothing is trained.
            String version = published.get("headVersion").asText();
            HeadTrainingService.Outcome first = awaitOutcome("test-score", null);
            assertThat(first.published()).isTrue();
            training.schedule("test-score");
            HeadTrainingService.Outcome unchanged = awaitOutcome("test-score", first);
            assertThat(unchanged.unchanged()).as(unchanged.reason()).isTrue();
            assertThat(labels.newTrainable("test-score")).isZero();

            // Thirty more slides like the others: the champion learnt from all 60 earlier ones, so only the new held-out
            // slides judge; the challenger equals the champion on them, a gain that the gate refuses.
            scoredSlides(events, store, r, 60, 90);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && labels.newTrainable("test-score") < 30) {
                Thread.sleep(200);
            }
            assertThat(labels.newTrainable("test-score")).as("new labels with grids").isEqualTo(30);
            training.schedule("test-score");
            HeadTrainingService.Outcome again = awaitOutcome("test-score", unchanged);
            assertThat(again.published()).isFalse();
            assertThat(again.champion()).isNotNull();
            assertThat(again.heldOutSlides()).as("judged only on new slides, which the champion never saw").isBetween(5, 30);
            assertThat(again.trainSlides()).isEqualTo(90 - again.heldOutSlides());
            assertThat(again.reason()).contains("gain over the champion", "not published");
            assertThat(again.decision().gainLower()).isLessThanOrEqualTo(0);
            assertThat(version).startsWith("v");

            // Both decisions are in the history topic, the refusal with its reason and no stored version.
            JsonNode publishedDecision = decision(events, decisions, "PUBLISHED");
            assertThat(publishedDecision.get("headVersion").asText()).isEqualTo(version);
            assertThat(publishedDecision.get("by").asText()).startsWith("nic-trainer/");
            JsonNode refusal = decision(events, decisions, "REFUSED");
            assertThat(refusal.hasNonNull("headVersion")).isFalse();
            assertThat(refusal.get("reason").asText()).contains("gain over the champion");
            assertThat(refusal.get("gainLower").asDouble()).isLessThanOrEqualTo(0);

            // An operator pins (or rolls back to) a stored version with the CLI: a new active-head record.
            var beforePin = events.endOffsets(Topics.MODEL_PUBLISHED);
            System.setProperty("NIC_STORAGE_ENDPOINT", NicTestInfrastructure.s3Endpoint());
            System.setProperty("NIC_STORAGE_ACCESS_KEY", NicTestInfrastructure.s3AccessKey());
            System.setProperty("NIC_STORAGE_SECRET_KEY", NicTestInfrastructure.s3SecretKey());
            System.setProperty("KAFKA_BOOTSTRAP_SERVERS", NicTestInfrastructure.kafkaBootstrapServers());
            System.setProperty("NIC_TRUST_HEAD_KEYS", org.nic.testing.TestKeys.trustedKeys().toString());
            int exit = new picocli.CommandLine(new org.nic.cli.NicCli()).execute("pin-head", "--task", "test-score",
                    "--version", version, "--bucket", NicTestInfrastructure.BUCKET);
            assertThat(exit).isZero();
            JsonNode pinned = EventJson.mapper().readTree(events.await(beforePin, rec -> "test-score/test-encoder".equals(rec.key()),
                    TIMEOUT, Topics.MODEL_PUBLISHED).value());
            assertThat(EventJson.validate(EventType.MODEL_PUBLISHED, pinned)).isEmpty();
            assertThat(pinned.get("headVersion").asText()).isEqualTo(version);
            assertThat(pinned.get("reason").asText()).contains("pinned");
            JsonNode pin = decision(events, decisions, "PINNED");
            assertThat(pin.get("headVersion").asText()).isEqualTo(version);
            assertThat(pin.get("by").asText()).isNotBlank();
        }
    }

    @Test
    void aFirstHeadOnTensOfSlidesIsJudgedOnTheTrainingSlidesOutOfFoldOutputsToo() throws Exception {
        // 24 labelled slides: their cases put 3 on the held-out side, under min-held-out (5), too few to judge a head on.
        Random r = new Random(8);
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            var from = events.endOffsets(Topics.MODEL_PUBLISHED);
            scoredSlides(events, store, r, "test-few", "fcase-", 0, 24);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && labels.newTrainable("test-few") < 24) {
                Thread.sleep(200);
            }
            training.schedule("test-few");
            HeadTrainingService.Outcome outcome = awaitOutcome("test-few", null);
            assertThat(outcome.trainSlides()).as("slides on the training side").isEqualTo(21);
            assertThat(outcome.reason()).contains("judged on 3 held-out slides and the out-of-fold outputs of 21 training slides");
            assertThat(outcome.heldOutSlides()).as("slides the gate judged on").isEqualTo(24);
            assertThat(outcome.published()).as(outcome.reason()).isTrue();
            assertThat(outcome.decision().gainLower()).isPositive();
            JsonNode published = EventJson.mapper().readTree(events.await(from, rec -> "test-few/test-encoder".equals(rec.key()),
                    TIMEOUT, Topics.MODEL_PUBLISHED).value());
            assertThat(published.get("heldOutSlides").asInt()).isEqualTo(24);
            assertThat(published.get("heldOutMetric").asDouble()).as("Spearman on slides no head saw").isGreaterThan(0.5);
            ModelCard card = EventJson.mapper().readValue(store.get(S3Uri.parse(published.get("cardUri").asText())), ModelCard.class);
            // Judged, it learnt from 21; published, refit on all 24: a later challenger is judged against it only on
            // held-out slides labelled after it.
            assertThat(((Number) card.properties().get("trainedOnSlides")).intValue()).isEqualTo(24);
            assertThat(card.data()).contains("21 training slides, 3 held-out slides", "trained again on all 24 labelled slides");
            assertThat(card.properties().get("headType").toString()).startsWith("ARRANGEMENT");
        }
    }

    @Test
    void aTrainingRunThatFailsIsRecordedOnModelDecidedWithItsReason() throws Exception {
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            var decisions = events.endOffsets(Topics.MODEL_DECIDED);
            String slide = "broken-" + System.nanoTime();
            String prefix = StorageLayout.grid(slide, "test-encoder");
            store.put(prefix + ".zgroup", "{\"zarr_format\": 2}".getBytes(), "application/json");
            store.put(prefix + "codes/.zarray", "not json".getBytes(), "application/json");
            LabelRecorded label = new LabelRecorded(slide, "case-broken", "test-broken", 1.0, null, null, null, "test");
            events.publish(EventType.LABEL_RECORDED, label.key(), label);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && labels.forTask("test-broken").stream().noneMatch(l -> l.slideId().equals(slide))) {
                Thread.sleep(200);
            }
            training.schedule("test-broken");
            JsonNode failed = EventJson.mapper().readTree(events.await(decisions, r -> "test-broken/test-encoder".equals(r.key()),
                    TIMEOUT, Topics.MODEL_DECIDED).value());
            assertThat(EventJson.validate(EventType.MODEL_DECIDED, failed)).isEmpty();
            assertThat(failed.get("decision").asText()).isEqualTo("FAILED");
            assertThat(failed.get("reason").asText()).contains("training failed", "unreadable grid metadata", slide);
        }
    }

    /** Slides {@code from} to {@code to} (exclusive) of test-score: a grid with a signal, labelled 50 + 10 x signal. */
    static void scoredSlides(EventClient events, ObjectStore store, Random r, int from, int to) {
        scoredSlides(events, store, r, "test-score", "case-", from, to);
    }

    /** The same for {@code task}, slide i of case {@code casePrefix + i}. */
    static void scoredSlides(EventClient events, ObjectStore store, Random r, String task, String casePrefix, int from, int to) {
        for (int i = from; i < to; i++) {
            String slide = task + "-" + i + "-" + System.nanoTime();
            double signal = r.nextGaussian();
            SyntheticGrids.write(store, StorageLayout.grid(slide, "test-encoder"), SyntheticGrids.grid(slide, 8, signal, r));
            LabelRecorded label = new LabelRecorded(slide, casePrefix + i, task, 50 + 10 * signal, null, null, null, "test");
            events.publish(EventType.LABEL_RECORDED, label.key(), label);
        }
    }

    /** The task's next outcome after {@code previous} (null: any). */
    HeadTrainingService.Outcome awaitOutcome(String task, HeadTrainingService.Outcome previous) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && (training.lastOutcome(task) == null || training.lastOutcome(task) == previous)) {
            Thread.sleep(200);
        }
        assertThat(training.lastOutcome(task)).as("an outcome of %s after %s", task, previous).isNotNull().isNotSameAs(previous);
        return training.lastOutcome(task);
    }

    @Test
    void aLabelIsNewOnceAndARestartDoesNotTrainWhatItsLastDecisionCovered() throws Exception {
        Random r = new Random(5);
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            java.util.List<LabelRecorded> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String slide = "cover-" + i + "-" + System.nanoTime();
                SyntheticGrids.write(store, StorageLayout.grid(slide, "test-encoder"), SyntheticGrids.grid(slide, 8, r.nextGaussian(), r));
                sent.add(new LabelRecorded(slide, "ccase-" + i, "test-cover", (double) i, null, null, null, "test"));
            }
            // What an earlier trainer decided on exactly these labels, before this one started.
            String snapshot = HeadTrainingService.snapshotHash(sent.stream()
                    .sorted(java.util.Comparator.comparing(LabelRecorded::slideId)).toList());
            org.nic.event.ModelDecided earlier = new org.nic.event.ModelDecided("test-cover", "REGRESSION", "test-encoder",
                    org.nic.event.ModelDecided.REFUSED, null, "spearman", 0.1, -0.2, 0.4, 0.1, -0.3, 8, 4, "gain not above zero",
                    "nic-trainer/earlier", snapshot);
            events.publish(EventType.MODEL_DECIDED, earlier.key(), earlier);
            // Every label twice, as a restart reads the compacted topic again: each is new once.
            for (int round = 0; round < 2; round++) {
                sent.forEach(l -> events.publish(EventType.LABEL_RECORDED, l.key(), l));
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && labels.forTask("test-cover").size() < 12) {
                Thread.sleep(200);
            }
            Thread.sleep(2000); // the second round
            assertThat(labels.newTrainable("test-cover")).as("twelve labels, each sent twice").isEqualTo(12);
            // A grid announced again is not news either.
            for (int round = 0; round < 2; round++) {
                events.publish(EventType.SLIDE_ENCODED, sent.get(0).slideId(), new org.nic.event.SlideEncoded(sent.get(0).slideId(),
                        null, store.uri(StorageLayout.grid(sent.get(0).slideId(), "test-encoder")).toString(), "test-encoder",
                        "b".repeat(64), "s3://x/plan.json", "c".repeat(64), 8, 8, 8, 64, false, 0, 0, 0, 0, 1, 1, "cpu", "test"));
            }
            Thread.sleep(2000);
            assertThat(labels.newTrainable("test-cover")).isEqualTo(12);

            training.schedule("test-cover");
            HeadTrainingService.Outcome outcome = awaitOutcome("test-cover", null);
            assertThat(outcome.unchanged()).as(outcome.reason()).isTrue();
            assertThat(outcome.reason()).contains("12 labels with grids");
            assertThat(labels.newTrainable("test-cover")).isZero();

            // One label changes: that is new, and the labels differ from what the last decision covered.
            LabelRecorded changed = new LabelRecorded(sent.get(3).slideId(), "ccase-3", "test-cover", 30.0, null, null, null, "test");
            events.publish(EventType.LABEL_RECORDED, changed.key(), changed);
            deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && labels.newTrainable("test-cover") < 1) {
                Thread.sleep(200);
            }
            assertThat(labels.newTrainable("test-cover")).isEqualTo(1);
            training.schedule("test-cover");
            HeadTrainingService.Outcome retrained = awaitOutcome("test-cover", outcome);
            assertThat(retrained.unchanged()).as(retrained.reason()).isFalse();
        }
    }

    /** The first model-decided record of test-score with that decision, schema-checked. */
    static JsonNode decision(EventClient events, Map<org.apache.kafka.common.TopicPartition, Long> from, String decision)
            throws Exception {
        ConsumerRecord<String, byte[]> rec = events.await(from, r -> {
            try {
                return "test-score/test-encoder".equals(r.key())
                        && decision.equals(EventJson.mapper().readTree(r.value()).get("decision").asText());
            } catch (java.io.IOException e) {
                return false;
            }
        }, TIMEOUT, Topics.MODEL_DECIDED);
        JsonNode json = EventJson.mapper().readTree(rec.value());
        assertThat(EventJson.validate(EventType.MODEL_DECIDED, json)).isEmpty();
        return json;
    }

    @Test
    void labelsInPredictionsOutThroughTheRunningPredictor() throws Exception {
        Random r = new Random(77);
        try (org.nic.testing.ServiceProcess predictor = org.nic.testing.ServiceProcess.start("predictor-service", Map.of(),
                Duration.ofSeconds(90));
             EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            var from = events.endOffsets(Topics.MODEL_PUBLISHED);
            for (int i = 0; i < 60; i++) {
                String slide = "loop-" + i + "-" + System.nanoTime();
                double signal = r.nextGaussian();
                SyntheticGrids.write(store, StorageLayout.grid(slide, "test-encoder"), SyntheticGrids.grid(slide, 8, signal, r));
                LabelRecorded label = new LabelRecorded(slide, "lcase-" + i, "loop-score", signal, null, null, null, "test");
                events.publish(EventType.LABEL_RECORDED, label.key(), label);
            }
            JsonNode published = EventJson.mapper().readTree(events.await(from,
                    rec -> "loop-score/test-encoder".equals(rec.key()), TIMEOUT, Topics.MODEL_PUBLISHED).value());
            String version = published.get("headVersion").asText();

            // A new slide's grid arrives: the predictor, started before the head existed, serves it now.
            String slide = "loop-new-" + System.nanoTime();
            String prefix = StorageLayout.grid(slide, "test-encoder");
            SyntheticGrids.write(store, prefix, SyntheticGrids.grid(slide, 8, 2.0, r));
            JsonNode loop = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (loop == null && System.nanoTime() < deadline) {
                var before = events.endOffsets(Topics.SLIDE_PREDICTED);
                events.publish(EventType.SLIDE_ENCODED, slide, new org.nic.event.SlideEncoded(slide, null,
                        store.uri(prefix).toString(), "test-encoder", "b".repeat(64), "s3://x/tiling/" + slide + "/plan.json",
                        "c".repeat(64), 8, 20, 20, 256, false, 0, 0, 0, 0, 1, 1, "cpu", "test"));
                // Nothing within 10 s, or an older head: the predictor has not read the new head yet.
                var found = events.find(before, rec -> slide.equals(rec.key()), Duration.ofSeconds(10), Topics.SLIDE_PREDICTED);
                if (found.isPresent()) {
                    JsonNode p = EventJson.mapper().readTree(found.get().value());
                    assertThat(EventJson.validate(EventType.SLIDE_PREDICTED, p)).isEmpty();
                    for (JsonNode pred : p.get("predictions")) {
                        if (pred.get("task").asText().equals("loop-score") && pred.get("headVersion").asText().equals(version)) {
                            loop = p;
                        }
                    }
                }
            }
            assertThat(loop).as("slide-predicted with head %s; predictor log:%n%s", version, predictor.log()).isNotNull();
            assertThat(EventJson.validate(EventType.SLIDE_PREDICTED, loop)).isEmpty();
            JsonNode prediction = null;
            for (JsonNode pred : loop.get("predictions")) {
                if (pred.get("task").asText().equals("loop-score")) {
                    prediction = pred;
                }
            }
            assertThat(prediction.get("value").asDouble()).as("a slide with a signal 2 SD above the mean scores above it").isGreaterThan(0.0);
        }
    }

    @Test
    void classificationAndSurvivalHeadsAreTrainedAndPublishedToo() throws Exception {
        Random r = new Random(33);
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
             ObjectStore store = NicTestInfrastructure.store(NicTestInfrastructure.BUCKET)) {
            var from = events.endOffsets(Topics.MODEL_PUBLISHED);
            for (int i = 0; i < 60; i++) {
                String slide = "kinds-" + i + "-" + System.nanoTime();
                double signal = r.nextGaussian();
                SyntheticGrids.write(store, StorageLayout.grid(slide, "test-encoder"), SyntheticGrids.grid(slide, 8, signal, r));
                LabelRecorded cls = new LabelRecorded(slide, "kcase-" + i, "test-class", null, signal > 0 ? "high" : "low",
                        null, null, "test");
                // Higher signal, earlier death; every fourth slide censored at 70% of its time.
                double time = Math.exp(-signal) * 100;
                LabelRecorded os = new LabelRecorded(slide, "kcase-" + i, "test-os", null, null, i % 4 == 0 ? time * 0.7 : time,
                        i % 4 != 0, "test");
                events.publish(EventType.LABEL_RECORDED, cls.key(), cls);
                events.publish(EventType.LABEL_RECORDED, os.key(), os);
            }
            JsonNode cls = EventJson.mapper().readTree(events.await(from, rec -> "test-class/test-encoder".equals(rec.key()),
                    TIMEOUT, Topics.MODEL_PUBLISHED).value());
            assertThat(cls.get("metric").asText()).isEqualTo("auc");
            assertThat(cls.get("heldOutMetric").asDouble()).as("held-out AUC vs a prior of 0.5").isGreaterThan(0.75);
            JsonNode os = EventJson.mapper().readTree(events.await(from, rec -> "test-os/test-encoder".equals(rec.key()),
                    TIMEOUT, Topics.MODEL_PUBLISHED).value());
            assertThat(os.get("metric").asText()).isEqualTo("c-index");
            assertThat(os.get("heldOutMetric").asDouble()).as("held-out C-index vs random risk's 0.5").isGreaterThan(0.65);
        }
    }

    @Test
    void labelsThatCannotBeTrainedOnAreDeadLetteredWithTheirReason() throws Exception {
        try (EventClient events = new EventClient(NicTestInfrastructure.kafkaBootstrapServers())) {
            expectRejected(events, new LabelRecorded("s-" + System.nanoTime(), null, "no-such-task", 1.0, null, null, null, "t"),
                    "unknown task");
            expectRejected(events, new LabelRecorded("s-" + System.nanoTime(), null, "overall-survival", null, null, -2.0, true, "t"),
                    ">= 0");
            expectRejected(events, new LabelRecorded("s-" + System.nanoTime(), null, "growth-pattern", null, "pushing", null, null, "t"),
                    "not one of");
            String key = "nan-" + System.nanoTime() + "/test-score";
            events.publishRaw(EventType.LABEL_RECORDED, key,
                    ("{\"slideId\":\"" + key.split("/")[0] + "\",\"task\":\"test-score\",\"value\":\"NaN\"}")
                            .getBytes(StandardCharsets.UTF_8));
            ConsumerRecord<String, byte[]> dead = events.awaitKey(key, TIMEOUT, Topics.deadLetters(Topics.LABEL_RECORDED));
            assertThat(EventClient.header(dead, "dead-letter-reason")).isNotBlank();
        }
    }

    static void expectRejected(EventClient events, LabelRecorded label, String reason) {
        events.publish(EventType.LABEL_RECORDED, label.key(), label);
        ConsumerRecord<String, byte[]> dead = events.awaitKey(label.key(), TIMEOUT, Topics.deadLetters(Topics.LABEL_RECORDED));
        assertThat(EventClient.header(dead, "dead-letter-reason")).contains(reason);
    }
}
