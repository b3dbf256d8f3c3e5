package org.nic.encoder.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.encoder.service.EncodingServiceTestSeam;
import org.nic.encoding.OnnxPatchEncoder;
import org.nic.encoding.PatchEncoder;
import org.nic.encoding.PatchReader;
import org.nic.event.EncodeRequested;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.SlideTiled;
import org.nic.event.Topics;
import org.nic.grid.ZarrCodec;
import org.nic.hash.Sha256;
import org.nic.model.ModelCard;
import org.nic.slide.SlideIdentity;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageLayout;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.NicTestResource;
import org.nic.tiling.SlidePlan;
import org.nic.tiling.SlidePlanner;
import org.nic.tiling.TissueParameters;

/**
 * CMU-1 through the encoder on the real broker and store: the grid opens, its shape follows the plan,
 * background is zero, codes equal a direct ONNX Runtime call within float16 rounding; an interrupted slide
 * resumes without rewriting finished chunks; a complete grid is reused; bad input gets its reason.
 */
@QuarkusTest
@QuarkusTestResource(NicTestResource.class)
class EncodingTest {

    static final Duration TIMEOUT = Duration.ofSeconds(120);
    static final Path CMU1 = NicTestInfrastructure.sharedData().resolve("slides/CMU-1-Small-Region.svs");

    @Inject
    EncodingServiceTestSeam seam;

    @Test
    void cmu1FromArrivalIsEncodedIntoAGridThatMatchesDirectInference() throws Exception {
        String slideId = "enc-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        // The tiler runs from its own jar beside this encoder, on the same broker and store: arrival -> encoded.
        try (org.nic.testing.ServiceProcess tiler = org.nic.testing.ServiceProcess.start("tiler-service",
                Map.of("nic.sources.allowed-roots", CMU1.getParent().toString()), Duration.ofSeconds(90));
             EventClient events = events(); ObjectStore store = store()) {
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            events.publish(EventType.SLIDE_ARRIVED, slideId, new org.nic.event.SlideArrived(slideId,
                    "file:" + CMU1.toAbsolutePath(), "test-scanner", null, null));
            ConsumerRecord<String, byte[]> record = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                    Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            SlidePlan plan = EventJson.mapper().readValue(store.get(store.uri(StorageLayout.plan(slideId))), SlidePlan.class);
            assertThat(record.topic()).as(new String(record.value())).isEqualTo(Topics.SLIDE_ENCODED);
            JsonNode encoded = checked(record);
            String encoderId = encoded.get("encoderId").asText();
            assertThat(encoded.get("rows").asInt()).isEqualTo(plan.grid().rows());
            assertThat(encoded.get("cols").asInt()).isEqualTo(plan.grid().cols());
            assertThat(encoded.get("channels").asInt()).isEqualTo(128);
            assertThat(encoded.get("tissueCells").asInt()).isEqualTo(plan.tissueCellCount());
            assertThat(encoded.get("reused").asBoolean()).isFalse();
            assertThat(encoded.get("gridUri").asText()).endsWith("/grids/" + slideId + "/" + encoderId + "/");

            // Progress events came, the last one complete.
            ConsumerRecord<String, byte[]> progress = events.await(from, r -> slideId.equals(r.key())
                    && json(r.value()).get("done").asInt() == plan.tissueCellCount(),
                    TIMEOUT, Topics.SLIDE_PROGRESS);
            assertThat(progress).isNotNull();

            String prefix = StorageLayout.grid(slideId, encoderId);
            JsonNode zarray = EventJson.mapper().readTree(store.get(store.uri(prefix + "codes/.zarray")));
            assertThat(zarray.get("shape").toString()).isEqualTo("[128," + plan.grid().rows() + "," + plan.grid().cols() + "]");
            int chunk = zarray.get("chunks").get(1).asInt();
            assertThat(store.exists(store.uri(prefix + ".zgroup"))).isTrue();
            assertThat(store.exists(store.uri(prefix + ".nic-run.json"))).isFalse();
            JsonNode attrs = EventJson.mapper().readTree(store.get(store.uri(prefix + ".zattrs"))).get("nic");
            assertThat(attrs.at("/encoder/sha256").asText()).isEqualTo(encoded.get("encoderSha256").asText());
            assertThat(attrs.at("/plan/sha256").asText()).isEqualTo(encoded.get("planSha256").asText());

            float[][][] grid = readGrid(store, prefix, plan.grid().rows(), plan.grid().cols(), chunk);
            // The reader the trainer and predictor use gives the same grid and tissue mask.
            org.nic.grid.CompressedGrid read = org.nic.grid.ZarrGridReader.read(store, slideId, prefix);
            assertThat(read.tissueCells()).hasSize(plan.tissueCellCount());
            for (int[] cell : plan.tissueCells()) {
                for (int ch = 0; ch < 128; ch += 17) {
                    assertThat(read.codes()[(ch * read.rows() + cell[0]) * read.cols() + cell[1]])
                            .isEqualTo(grid[ch][cell[0]][cell[1]]);
                }
            }
            // The manifest holds every stored chunk's SHA-256: a chunk changed or lost is refused, never read as zeros.
            JsonNode manifest = attrs.get("chunks");
            assertThat(manifest.has("tissue/0.0")).isTrue();
            String first = null;
            int codeChunks = 0;
            for (var it = manifest.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (key.startsWith("codes/")) {
                    first = first == null ? key : first;
                    codeChunks++;
                    assertThat(Sha256.hex(store.get(store.uri(prefix + key)))).as(key).isEqualTo(manifest.get(key).asText());
                }
            }
            assertThat((long) codeChunks).isEqualTo(store.list(store.bucket(), prefix + "codes/").stream()
                    .filter(o -> !o.key().endsWith(".zarray") && !o.key().endsWith(".zattrs")).count());
            byte[] original = store.get(store.uri(prefix + first));
            store.put(prefix + first, org.nic.grid.ZarrCodec.encodeChunk(new float[128 * chunk * chunk]), "application/octet-stream");
            String damaged = first;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> org.nic.grid.ZarrGridReader.read(store, slideId, prefix))
                    .isInstanceOf(org.nic.grid.GridCorruptException.class).hasMessageContaining(damaged)
                    .hasMessageContaining("SHA-256");
            store.delete(store.uri(prefix + first));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> org.nic.grid.ZarrGridReader.read(store, slideId, prefix))
                    .isInstanceOf(org.nic.grid.GridCorruptException.class).hasMessageContaining("missing");
            store.put(prefix + first, original, "application/octet-stream");
            assertThat(org.nic.grid.ZarrGridReader.read(store, slideId, prefix).tissueCells()).hasSize(plan.tissueCellCount());
            java.util.Set<List<Integer>> tissue = plan.tissueCells().stream().map(c -> List.of(c[0], c[1]))
                    .collect(Collectors.toSet());
            for (int r = 0; r < plan.grid().rows(); r++) {
                for (int c = 0; c < plan.grid().cols(); c++) {
                    if (!tissue.contains(List.of(r, c))) {
                        for (int ch = 0; ch < 128; ch++) {
                            assertThat(grid[ch][r][c]).as("background cell %d,%d", r, c).isZero();
                        }
                    }
                }
            }
            // A few tissue cells against a direct ONNX Runtime call on the same patches.
            byte[] model = store.get(store.uri(StorageLayout.encoder(encoderId) + "model.onnx"));
            try (PatchEncoder direct = OnnxPatchEncoder.load(model, "cpu", 1);
                 SlideReader slide = SlideReaders.installed().open(CMU1)) {
                PatchReader reader = new PatchReader(slide, plan.grid());
                float[] patch = new float[PatchEncoder.PATCH_FLOATS];
                float[] code = new float[128];
                for (int k = 0; k < plan.tissueCellCount(); k += Math.max(1, plan.tissueCellCount() / 7)) {
                    int[] cell = plan.tissueCells().get(k);
                    reader.read(cell[0], cell[1], patch, 0);
                    direct.encode(patch, 1, code);
                    for (int ch = 0; ch < 128; ch++) {
                        float a = grid[ch][cell[0]][cell[1]];
                        assertThat(Math.abs(a - code[ch])).as("cell %d,%d channel %d", cell[0], cell[1], ch)
                                .isLessThanOrEqualTo(1e-3f + Math.abs(code[ch]) * 0x1p-10f);
                    }
                }
            }

            // As a data scientist reads it: the documented NumPy snippet and zarr-python on a downloaded copy.
            checkWithPython(store, prefix, grid, plan.tissueCells().subList(0, 5));

        }
    }

    /**
     * Kafka redelivers after crashes and rebalances, and scanners resend: an unchanged slide must cost
     * nothing the second time, and a changed one (other bytes, other tiling settings) must be done again.
     */
    @Test
    void theSameSlideTwiceIsEncodedOnceAndOtherBytesUnderItsIdAreRefused() throws Exception {
        String slideId = "twice-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        S3Uri slideUri = new S3Uri(NicTestInfrastructure.SLIDE_BUCKET, slideId + "/cmu1.svs");
        try (org.nic.testing.ServiceProcess tiler = org.nic.testing.ServiceProcess.start("tiler-service",
                Map.of("nic.sources.allowed-buckets", NicTestInfrastructure.SLIDE_BUCKET), Duration.ofSeconds(90));
             EventClient events = events(); ObjectStore store = store();
             ObjectStore slides = NicTestInfrastructure.store(NicTestInfrastructure.SLIDE_BUCKET)) {
            slides.putFile(slideUri, CMU1, "application/octet-stream");
            Arrival first = arrive(events, slideId, slideUri.toString(), null);
            assertThat(first.encoded().get("reused").asBoolean()).as("first encode").isFalse();
            String prefix = StorageLayout.grid(slideId, first.encoded().get("encoderId").asText());
            Map<String, java.time.Instant> objects = lastModified(store, prefix);
            assertThat(objects.keySet()).anyMatch(k -> k.contains("/codes/"));

            // The same bytes uploaded again (a new object time, a scanner's resend) and a second arrival.
            Thread.sleep(1100); // object times have one-second resolution
            slides.putFile(slideUri, CMU1, "application/octet-stream");
            Arrival second = arrive(events, slideId, slideUri.toString(), null);
            assertThat(second.tiled().get("planSha256")).isEqualTo(first.tiled().get("planSha256"));
            assertThat(second.tiledEventId()).as("CloudEvents id of slide-tiled").isEqualTo(first.tiledEventId());
            assertThat(second.encoded().get("reused").asBoolean()).isTrue();
            assertThat(second.encoded().get("planSha256")).isEqualTo(first.encoded().get("planSha256"));
            assertThat(second.encoded().get("gridUri")).isEqualTo(first.encoded().get("gridUri"));
            assertThat(lastModified(store, prefix)).as("no grid object rewritten").isEqualTo(objects);

            // Other tiling settings for the same bytes: a new plan, encoded again.
            Arrival resampled = arrive(events, slideId, slideUri.toString(), 0.45);
            assertThat(resampled.tiled().get("spacingSource").asText()).isEqualTo("override");
            assertThat(resampled.tiled().get("planSha256")).isNotEqualTo(first.tiled().get("planSha256"));
            assertThat(resampled.encoded().get("reused").asBoolean()).isFalse();
            assertThat(resampled.encoded().get("planSha256")).isEqualTo(resampled.tiled().get("planSha256"));

            // Other bytes under the same id (a re-scan sent under the old id): one id names one slide, so it is refused
            // (ID_CONFLICT) and the first slide's plan and grid stay as they were.
            Map<String, java.time.Instant> before = lastModified(store, prefix);
            byte[] plan = store.get(store.uri(StorageLayout.plan(slideId)));
            Path changed = java.nio.file.Files.createTempDirectory("nic-changed").resolve("cmu1.svs");
            java.nio.file.Files.copy(CMU1, changed);
            java.nio.file.Files.write(changed, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
            slides.putFile(slideUri, changed, "application/octet-stream");
            var from = events.endOffsets(Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
            events.publish(EventType.SLIDE_ARRIVED, slideId, new org.nic.event.SlideArrived(slideId, slideUri.toString(),
                    "test-scanner", null, null));
            ConsumerRecord<String, byte[]> refused = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                    Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
            assertThat(refused.topic()).as(new String(refused.value())).isEqualTo(Topics.SLIDE_FAILED);
            assertThat(json(refused.value()).get("reason").asText()).isEqualTo("ID_CONFLICT");
            assertThat(store.get(store.uri(StorageLayout.plan(slideId)))).isEqualTo(plan);
            assertThat(lastModified(store, prefix)).as("the first slide's grid untouched").isEqualTo(before);
        }
    }

    record Arrival(JsonNode tiled, String tiledEventId, JsonNode encoded) { }

    /** Publishes slide-arrived and waits for the tiler's slide-tiled and then the encoder's slide-encoded. */
    private static Arrival arrive(EventClient events, String slideId, String uri, Double mpp) throws Exception {
        var from = events.endOffsets(Topics.SLIDE_TILED, Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
        events.publish(EventType.SLIDE_ARRIVED, slideId, new org.nic.event.SlideArrived(slideId, uri, "test-scanner", null, mpp));
        ConsumerRecord<String, byte[]> tiled = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                Topics.SLIDE_TILED, Topics.SLIDE_FAILED);
        assertThat(tiled.topic()).as(new String(tiled.value())).isEqualTo(Topics.SLIDE_TILED);
        ConsumerRecord<String, byte[]> encoded = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
        assertThat(encoded.topic()).as(new String(encoded.value())).isEqualTo(Topics.SLIDE_ENCODED);
        return new Arrival(json(tiled.value()), EventClient.header(tiled, "ce_id"), checked(encoded));
    }

    private static Map<String, java.time.Instant> lastModified(ObjectStore store, String prefix) {
        return store.list(store.bucket(), prefix).stream()
                .collect(Collectors.toMap(ObjectStore.ObjectInfo::key, ObjectStore.ObjectInfo::lastModified));
    }

    @Test
    void anInterruptedSlideIsRetriedByItselfAndResumesWithoutRewritingFinishedChunks() throws Exception {
        String slideId = "resume-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        SlidePlan plan = storePlan(slideId);
        try (EventClient events = events(); ObjectStore store = store()) {
            seam.failAfterChunks(2);
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            events.publish(EventType.SLIDE_TILED, slideId, tiled(slideId, plan));
            JsonNode failed = checked(events.await(from, r -> slideId.equals(r.key()), TIMEOUT, Topics.SLIDE_FAILED));
            assertThat(failed.get("retriable").asBoolean()).isTrue();
            assertThat(failed.get("attempt").asInt()).isEqualTo(1);
            assertThat(failed.get("retrying").asBoolean()).as("NIC drives it again by itself").isTrue();
            String prefix = StorageLayout.grid(slideId, seam.defaultEncoderId());
            Map<String, java.time.Instant> written = store.list(store.bucket(), prefix + "codes/").stream()
                    .collect(Collectors.toMap(ObjectStore.ObjectInfo::key, ObjectStore.ObjectInfo::lastModified));
            assertThat(written).hasSize(2);
            assertThat(store.exists(store.uri(prefix + ".zgroup"))).as("nothing visible as a grid yet").isFalse();

            // Nobody sends the slide again: the retry topic (3 s in tests) brings the record back to the encoder.
            ConsumerRecord<String, byte[]> record = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                    Topics.SLIDE_ENCODED);
            JsonNode encoded = checked(record);
            assertThat(encoded.get("resumedCells").asInt()).isPositive();
            for (var w : written.entrySet()) {
                assertThat(store.stat(new S3Uri(store.bucket(), w.getKey())).orElseThrow().lastModified())
                        .as("chunk %s not rewritten", w.getKey()).isEqualTo(w.getValue());
            }
            assertThat(store.list(store.bucket(), prefix + "codes/").size()).isGreaterThan(2 + 2);
            assertThat(store.exists(store.uri(prefix + ".zgroup"))).isTrue();
            // The chunks of the interrupted run are in the manifest too: the whole grid reads back, checked.
            assertThat(org.nic.grid.ZarrGridReader.read(store, slideId, prefix).tissueCells()).isNotEmpty();
            // Provenance: two runs of one writer, the first's two chunks its own, every other chunk the second's, and
            // no chunk stored by one run while another was writing.
            JsonNode provenance = EventJson.mapper().readTree(store.get(store.uri(prefix + ".zattrs"))).at("/nic/provenance");
            assertThat(provenance.get("runs")).hasSize(2);
            String first = provenance.at("/runs/0/run").asText();
            String second = provenance.at("/runs/1/run").asText();
            assertThat(first).isNotEqualTo(second);
            assertThat(provenance.at("/runs/0/writer").asText()).isEqualTo(provenance.at("/runs/1/writer").asText())
                    .contains("/" + ProcessHandle.current().pid());
            assertThat(provenance.get("concurrentChunks")).isEmpty();
            JsonNode chunkRuns = provenance.get("chunkRuns");
            assertThat(chunkRuns.size()).isEqualTo(store.list(store.bucket(), prefix + "codes/").stream()
                    .filter(o -> !o.key().contains("/.")).count());
            chunkRuns.fields().forEachRemaining(e -> assertThat(e.getValue().asText()).as(e.getKey())
                    .isEqualTo(written.containsKey(prefix + e.getKey()) ? first : second));
        }
    }

    @Test
    void aRunWhoseGridAnotherRunTookOverStopsWritingAndAnswersNothing() throws Exception {
        String slideId = "fenced-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        SlidePlan plan = storePlan(slideId);
        String prefix = StorageLayout.grid(slideId, seam.defaultEncoderId());
        try (EventClient events = events(); ObjectStore store = store()) {
            seam.pauseAtProgress(400, 0);
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            try {
                events.publish(EventType.SLIDE_TILED, slideId, tiled(slideId, plan));
                // Once the run has stored a chunk, another replica takes the grid over, as one does when this replica
                // is cut from the brokers and the slide's partition moves: its run is appended to the run marker.
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (store.list(store.bucket(), prefix + "codes/").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(store.list(store.bucket(), prefix + "codes/")).as("a chunk of the first run").isNotEmpty();
                S3Uri marker = store.uri(prefix + ".nic-run.json");
                com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode)
                        EventJson.mapper().readTree(store.get(marker));
                m.withArray("runs").addObject().put("run", "other-replica-run").put("writer", "another-replica/1")
                        .put("startedAt", java.time.Instant.now().toString());
                store.put(prefix + ".nic-run.json", EventJson.mapper().writeValueAsBytes(m), "application/json");
                java.time.Instant takenOver = java.time.Instant.now();
                // The first run stops at its next chunk: nothing announced, nothing failed, no chunk stored after.
                assertThat(events.find(from, r -> slideId.equals(r.key()), java.time.Duration.ofSeconds(8), Topics.SLIDE_ENCODED,
                        Topics.SLIDE_FAILED)).as("the superseded run answers nothing").isEmpty();
                assertThat(store.list(store.bucket(), prefix + "codes/")).as("no chunk stored after the takeover (1 s grace)")
                        .allMatch(o -> !o.lastModified().isAfter(takenOver.plusSeconds(1)));
                assertThat(store.exists(store.uri(prefix + ".zgroup"))).as("no grid finished by it").isFalse();
            } finally {
                seam.pauseAtProgress(0, 0);
            }
            // The run that took over (here: this service, asked again) resumes from the stopped run's chunks.
            events.publish(EventType.ENCODE_REQUESTED, slideId, new EncodeRequested(slideId, null, false));
            JsonNode encoded = checked(events.await(from, r -> slideId.equals(r.key()), TIMEOUT, Topics.SLIDE_ENCODED));
            assertThat(encoded.get("resumedCells").asInt()).isPositive();
            assertThat(EventJson.mapper().readTree(store.get(store.uri(prefix + ".zattrs"))).at("/nic/provenance/concurrentChunks"))
                    .isEmpty();
        }
    }

    @Test
    void aShippedEncoderNobodyUploadedIsUploadedWhenAskedForAndNamesItsGrid() throws Exception {
        String slideId = "int8-" + System.nanoTime();
        String int8 = "mtl-nic-v2-int8";
        storePlan(slideId);
        try (EventClient events = events(); ObjectStore store = store()) {
            for (var o : store.list(store.bucket(), StorageLayout.encoder(int8))) {
                store.delete(store.uri(o.key()));
            }
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            events.publish(EventType.ENCODE_REQUESTED, slideId, new EncodeRequested(slideId, int8, false));
            ConsumerRecord<String, byte[]> record = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                    Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            assertThat(record.topic()).as(new String(record.value())).isEqualTo(Topics.SLIDE_ENCODED);
            JsonNode encoded = checked(record);
            assertThat(encoded.get("encoderId").asText()).isEqualTo(int8);
            assertThat(encoded.get("gridUri").asText()).endsWith("/grids/" + slideId + "/" + int8 + "/");
            byte[] card = store.get(store.uri(StorageLayout.encoder(int8) + "card.json"));
            assertThat(EventJson.mapper().readTree(card).at("/properties/quantised-from/id").asText()).isEqualTo("mtl-nic-v2");
        }
    }

    @Test
    void slidesFromBothChannelsAreEncodedOneAtATime() throws Exception {
        String a = "one-a-" + System.nanoTime();
        String b = "one-b-" + System.nanoTime();
        SlidePlan planA = storePlan(a);
        storePlan(b);
        try (EventClient events = events(); ObjectStore store = store()) {
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            events.publish(EventType.SLIDE_TILED, a, tiled(a, planA));
            events.publish(EventType.ENCODE_REQUESTED, b, new EncodeRequested(b, null, false));
            java.util.List<java.time.Instant[]> runs = new java.util.ArrayList<>();
            for (String slide : List.of(a, b)) {
                ConsumerRecord<String, byte[]> r = events.await(from, x -> slide.equals(x.key()), TIMEOUT,
                        Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
                assertThat(r.topic()).as(new String(r.value())).isEqualTo(Topics.SLIDE_ENCODED);
                JsonNode run = EventJson.mapper().readTree(store.get(store.uri(StorageLayout.grid(slide,
                        seam.defaultEncoderId()) + ".zattrs"))).at("/nic/run");
                runs.add(new java.time.Instant[] {java.time.Instant.parse(run.get("startedAt").asText()),
                        java.time.Instant.parse(run.get("finishedAt").asText())});
            }
            runs.sort(java.util.Comparator.comparing(r -> r[0]));
            assertThat(runs.get(1)[0]).as("the second slide started after the first finished: no session shared by two slides")
                    .isAfterOrEqualTo(runs.get(0)[1]);
        }
    }

    @Test
    void badInputGetsItsReasonAndTheServiceGoesOn() throws Exception {
        try (EventClient events = events(); ObjectStore store = store()) {
            expectFailure(events, new EncodeRequested("no-plan-" + System.nanoTime(), null, false), "PLAN_NOT_FOUND");
            String slideId = "model-" + System.nanoTime();
            storePlan(slideId);
            expectFailure(events, new EncodeRequested(slideId, "no-such-encoder", false), "MODEL_UNAVAILABLE");
            // A registry entry whose model does not match its card's hash is refused.
            String id = seam.defaultEncoderId();
            byte[] card = store.get(store.uri(StorageLayout.encoder(id) + ModelCard.FILE_NAME));
            store.put(StorageLayout.encoder("tampered") + ModelCard.FILE_NAME, card, "application/json");
            store.put(StorageLayout.encoder("tampered") + "model.onnx", "not the model".getBytes(), "application/octet-stream");
            JsonNode refused = expectFailure(events, new EncodeRequested(slideId, "tampered", false), "MODEL_UNAVAILABLE");
            assertThat(refused.get("message").asText()).contains("refusing");
            // A slide that changed since planning.
            String changed = "changed-" + System.nanoTime();
            SlidePlan plan = storePlan(changed);
            SlidePlan altered = new SlidePlan(plan.formatVersion(), plan.slideId(), plan.slideUri(),
                    new SlideIdentity(null, plan.identity().size() + 1, plan.identity().headSha256(),
                            plan.identity().headBytes()), plan.slide(), plan.grid(), plan.tissue(), plan.tissueCells(),
                    plan.tiler());
            store.put(StorageLayout.plan(changed), EventJson.toBytes(altered), "application/json");
            expectFailure(events, new EncodeRequested(changed, null, false), "SLIDE_CHANGED");
            // Malformed records go to the dead-letter topic.
            String key = "garbage-" + System.nanoTime();
            events.publishRaw(EventType.SLIDE_TILED, key, "{nope".getBytes());
            ConsumerRecord<String, byte[]> dead = events.awaitKey(key, TIMEOUT, Topics.deadLetters(Topics.SLIDE_TILED));
            assertThat(EventClient.header(dead, "dead-letter-reason")).contains("malformed JSON");
            // And a good slide still goes through.
            expectEncoded(events, slideId);
        }
    }

    private static JsonNode expectFailure(EventClient events, EncodeRequested request, String reason) throws Exception {
        var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
        events.publish(EventType.ENCODE_REQUESTED, request.slideId(), request);
        ConsumerRecord<String, byte[]> record = events.await(from, r -> request.slideId().equals(r.key()), TIMEOUT,
                Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
        assertThat(record.topic()).as(new String(record.value())).isEqualTo(Topics.SLIDE_FAILED);
        JsonNode failed = checked(record);
        assertThat(failed.get("reason").asText()).isEqualTo(reason);
        assertThat(failed.get("stage").asText()).isEqualTo("encoding");
        return failed;
    }

    private static void expectEncoded(EventClient events, String slideId) throws Exception {
        var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
        events.publish(EventType.ENCODE_REQUESTED, slideId, new EncodeRequested(slideId, null, false));
        ConsumerRecord<String, byte[]> record = events.await(from, r -> slideId.equals(r.key()), TIMEOUT,
                Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
        assertThat(record.topic()).as(new String(record.value())).isEqualTo(Topics.SLIDE_ENCODED);
    }

    /** Plans CMU-1 as the tiler would and stores the plan under its deterministic key. */
    static SlidePlan storePlan(String slideId) throws Exception {
        SlidePlanner planner = new SlidePlanner(new SlidePlanner.GridSettings(0.5, 128, 0.25, 0.01, TissueParameters.defaults()),
                "test");
        try (SlideReader reader = SlideReaders.installed().open(CMU1); ObjectStore store = store()) {
            SlidePlan plan = planner.plan(slideId, "file:" + CMU1.toAbsolutePath(), SlideIdentity.of(CMU1, null), reader, null)
                    .plan();
            store.put(StorageLayout.plan(slideId), EventJson.toBytes(plan), "application/json");
            return plan;
        }
    }

    static SlideTiled tiled(String slideId, SlidePlan plan) {
        return new SlideTiled(slideId, plan.slideUri(), null, "s3://" + NicTestInfrastructure.BUCKET + "/" + StorageLayout.plan(slideId),
                "0".repeat(64), "s3://" + NicTestInfrastructure.BUCKET + "/" + StorageLayout.thumbnail(slideId),
                "s3://" + NicTestInfrastructure.BUCKET + "/" + StorageLayout.mask(slideId), plan.grid().rows(), plan.grid().cols(),
                plan.tissueCellCount(), plan.grid().level(), plan.grid().spacing(), false, plan.grid().spacingSource(), 0.5, 128,
                "test", 0);
    }

    /** The whole grid, decoded chunk by chunk as a Zarr reader would (missing chunks are zeros). */
    static float[][][] readGrid(ObjectStore store, String prefix, int rows, int cols, int chunk) {
        float[][][] grid = new float[128][rows][cols];
        for (int i = 0; i * chunk < rows; i++) {
            for (int j = 0; j * chunk < cols; j++) {
                S3Uri key = store.uri(prefix + "codes/0." + i + "." + j);
                if (!store.exists(key)) {
                    continue;
                }
                float[] values = ZarrCodec.decodeChunk(store.get(key), 128 * chunk * chunk);
                for (int ch = 0; ch < 128; ch++) {
                    for (int r = 0; r < chunk && i * chunk + r < rows; r++) {
                        for (int c = 0; c < chunk && j * chunk + c < cols; c++) {
                            grid[ch][i * chunk + r][j * chunk + c] = values[(ch * chunk + r) * chunk + c];
                        }
                    }
                }
            }
        }
        return grid;
    }

    static JsonNode checked(ConsumerRecord<String, byte[]> record) throws Exception {
        EventType type = EventType.ofTopic(record.topic()).orElseThrow();
        JsonNode json = EventJson.mapper().readTree(record.value());
        assertThat(EventJson.validate(type, json)).as("schema of %s", record.topic()).isEmpty();
        assertThat(EventClient.header(record, "ce_type")).isEqualTo(type.cloudEventType());
        assertThat(EventClient.header(record, "ce_source")).isEqualTo("urn:nic:encoder");
        // The shared messaging defaults (nic-service's microprofile-config.properties): binary mode, JSON data.
        assertThat(EventClient.header(record, "content-type")).isEqualTo("application/json");
        assertThat(record.key()).isEqualTo(json.get("slideId").asText());
        return json;
    }

    /** Runs docs/grids.md's NumPy snippet and zarr-python with Debian's python3 and compares with Java. */
    static void checkWithPython(ObjectStore store, String prefix, float[][][] grid, List<int[]> cells) throws Exception {
        Path root = java.nio.file.Files.createTempDirectory("nic-grid");
        for (ObjectStore.ObjectInfo o : store.list(store.bucket(), prefix)) {
            Path file = root.resolve(o.key().substring(prefix.length()));
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, store.get(new S3Uri(store.bucket(), o.key())));
        }
        String doc = java.nio.file.Files.readString(Path.of("..", "docs", "grids.md"));
        String snippet = doc.substring(doc.indexOf("<!-- numpy-snippet -->"), doc.indexOf("<!-- /numpy-snippet -->"));
        snippet = snippet.substring(snippet.indexOf("```python") + 9, snippet.lastIndexOf("```"));
        StringBuilder script = new StringBuilder(snippet).append("\nimport sys, zarr\n")
                .append("g = read_codes(sys.argv[1])\n")
                .append("z = zarr.open_group(sys.argv[1], mode='r')\n")
                .append("assert z['codes'].shape == g.shape, (z['codes'].shape, g.shape)\n")
                .append("assert int(z['tissue'][:].sum()) == int((abs(g).sum(axis=0) > 0).sum())\n");
        for (int[] cell : cells) {
            script.append(String.format("print(' '.join(repr(float(v)) for v in g[:, %d, %d]))%n", cell[0], cell[1]));
            script.append(String.format("print(' '.join(repr(float(v)) for v in z['codes'][:, %d, %d]))%n", cell[0], cell[1]));
        }
        Path py = root.resolve("read.py");
        java.nio.file.Files.writeString(py, script);
        Process p = new ProcessBuilder("/usr/bin/python3", py.toString(), root.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("python: %s", out).isZero();
        String[] lines = out.strip().split("\n");
        assertThat(lines).hasSize(2 * cells.size());
        for (int k = 0; k < cells.size(); k++) {
            int[] cell = cells.get(k);
            for (int which = 0; which < 2; which++) {
                String[] values = lines[2 * k + which].trim().split(" ");
                assertThat(values).hasSize(128);
                for (int ch = 0; ch < 128; ch++) {
                    assertThat(Float.parseFloat(values[ch])).as("python value %d of cell %d,%d", ch, cell[0], cell[1])
                            .isEqualTo(grid[ch][cell[0]][cell[1]]);
                }
            }
        }
    }

    static JsonNode json(byte[] bytes) {
        try {
            return EventJson.mapper().readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static EventClient events() {
        return new EventClient(NicTestInfrastructure.kafkaBootstrapServers());
    }

    static ObjectStore store() {
        return NicTestInfrastructure.store(NicTestInfrastructure.BUCKET);
    }
}
