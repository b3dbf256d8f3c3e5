package org.nic.encoder.service;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.nic.hash.Sha256;
import org.nic.service.messaging.TransientFailure;
import org.jboss.logging.Logger;
import org.nic.encoder.config.EncoderConfig;
import org.nic.encoding.SlideEncoder;
import org.nic.event.EventJson;
import org.nic.event.FailureReason;
import org.nic.event.SlideEncoded;
import org.nic.grid.GridLayout;
import org.nic.grid.ZarrCodec;
import org.nic.slide.SlideException;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.source.LocatedSlide;
import org.nic.event.StageFailure;
import org.nic.source.SlideSources;
import org.nic.storage.ObjectStore;
import org.nic.storage.S3Uri;
import org.nic.storage.StorageException;
import org.nic.storage.StorageLayout;
import org.nic.tiling.SlidePlan;

/**
 * Encodes one slide into its compressed grid: a Zarr v2 group at {@code grids/{slideId}/{encoderId}/} with
 * arrays {@code codes} (C x H x W float16, chunked) and {@code tissue} (H x W uint8), metadata in the group's
 * {@code .zattrs}. Chunks are written as they fill; the array and group documents are written last, so the
 * grid is visible as Zarr only once complete. An interrupted run resumes from the chunks already there
 * (recorded against plan and encoder in {@code .nic-run.json}); a complete grid for the same encoder and
 * plan is reused.
 */
@ApplicationScoped
public class EncodingService {

    private static final Logger LOG = Logger.getLogger(EncodingService.class);
    static final String RUN_MARKER = ".nic-run.json";
    /** A code chunk's key under the grid's prefix (all orientations). */
    static final String CHUNK_KEY = "codes(-orientation-\\d)?/\\d+\\.\\d+\\.\\d+";

    /** What to encode. */
    public record Request(String slideId, String caseId, String encoderId, boolean force) { }

    /** Told the progress of the slide being encoded. */
    public interface ProgressSink {
        void progress(String slideId, int done, int total);
    }

    private final ObjectStore store;
    private final EncoderRegistry registry;
    private final EncoderConfig config;
    private final SlideSources sources;
    private final SlideReaders readers = SlideReaders.installed();
    private final String serviceName;
    /** Test seam: when >= 0, chunk writes fail after this many, as a crash mid-slide would. */
    private final AtomicInteger failAfterChunks = new AtomicInteger(-1);
    /** Test seam: milliseconds to sleep before each progress report (a slow slide), and once before the next (a hang). */
    private final java.util.concurrent.atomic.AtomicLong slowProgressMillis = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong stallOnceMillis = new java.util.concurrent.atomic.AtomicLong();

    public EncodingService(ObjectStore store, EncoderRegistry registry, EncoderConfig config,
                           @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.store = store;
        this.registry = registry;
        this.config = config;
        this.sources = new SlideSources(config.sources().settings(), store);
        this.serviceName = "nic-encoder/" + version;
    }

    public String serviceName() {
        return serviceName;
    }

    public String defaultEncoderId() {
        return config.encoder().defaultId();
    }

    /** Makes the next run fail after {@code chunks} chunk writes (tests: an interrupted slide). -1 disables it. */
    void failAfterChunks(int chunks) {
        failAfterChunks.set(chunks);
    }

    /**
     * Makes every slide sleep {@code everyMillis} before each progress report, and the next report wait
     * {@code onceMillis} more (tests: a slow slide, a hung one). 0, 0 disables it.
     */
    void pauseAtProgress(long everyMillis, long onceMillis) {
        slowProgressMillis.set(everyMillis);
        stallOnceMillis.set(onceMillis);
    }

    private void pauseForTests() {
        long pause = slowProgressMillis.get() + stallOnceMillis.getAndSet(0);
        if (pause > 0) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Encodes the slide (or reuses its complete grid). An object store that fails is retried here with
     * backoff (2 s doubling to 15 s, for up to {@code max-duration}, 60 s), each try resuming from the chunks
     * already stored; past that the stage fails with {@code STORAGE_UNAVAILABLE}, retriable, and the slide goes
     * to the delayed retry topic.
     */
    @Retry(maxRetries = -1, delay = 2000, maxDuration = 60_000, jitter = 500)
    @ExponentialBackoff(factor = 2, maxDelay = 15_000)
    @RetryWhen(exception = TransientFailure.class)
    public SlideEncoded encode(Request request, ProgressSink progress) throws StageFailure, InterruptedException {
        Instant started = Instant.now();
        // This run, and who makes it: recorded in the grid with every chunk it writes (docs/grids.md#provenance).
        String runId = java.util.UUID.randomUUID().toString().substring(0, 13);
        List<Map<String, Object>> runs;
        String slideId = request.slideId();
        String encoderId = request.encoderId() != null ? request.encoderId() : config.encoder().defaultId();
        if (!StorageLayout.isValidSlideId(slideId) || !StorageLayout.isValidSlideId(encoderId)) {
            throw new StageFailure(FailureReason.INVALID_EVENT, "invalid slide or encoder id", null);
        }
        S3Uri planUri = store.uri(StorageLayout.plan(slideId));
        byte[] planBytes;
        SlidePlan plan;
        try {
            planBytes = store.get(planUri);
            plan = EventJson.mapper().readValue(planBytes, SlidePlan.class);
        } catch (StorageException e) {
            throw new StageFailure(e.notFound() ? FailureReason.PLAN_NOT_FOUND : FailureReason.STORAGE_UNAVAILABLE,
                    "no plan for slide " + slideId + " at " + planUri + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StageFailure(FailureReason.PLAN_NOT_FOUND, "unreadable plan " + planUri + ": " + e.getMessage(), e);
        }
        String planSha = Sha256.hex(planBytes);
        EncoderRegistry.Loaded encoder = registry.load(encoderId);
        String prefix = StorageLayout.grid(slideId, encoderId);
        try {
            if (!request.force()) {
                SlideEncoded reused = reuse(prefix, request, planUri, planSha, encoder);
                if (reused != null) {
                    return reused;
                }
            }
            runs = prepareRun(prefix, planSha, encoder.sha256(), request.force(), runId, started);
        } catch (StorageException e) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, e.getMessage(), e);
        }

        LocatedSlide located = sources.locate(plan.slideUri());
        if (!located.identity().sameSlideAs(plan.identity())) {
            throw new StageFailure(FailureReason.SLIDE_CHANGED, "slide " + slideId + " at " + plan.slideUri()
                    + " changed since it was planned (size " + plan.identity().size() + " -> " + located.identity().size()
                    + ", head sha256 " + plan.identity().headSha256().substring(0, 12) + " -> "
                    + located.identity().headSha256().substring(0, 12) + "); tile it again", null);
        }
        EncoderConfig.Encoder e = config.encoder();
        int cores = Runtime.getRuntime().availableProcessors();
        SlideEncoder pipeline = new SlideEncoder(new SlideEncoder.Settings(e.readers() > 0 ? e.readers() : cores,
                e.batchSize(), e.queueCapacity(), e.chunkCells(), e.orientations()), e.progressIntervalMillis());
        SlideEncoder.Result result;
        int interruptAfter = failAfterChunks.getAndSet(-1);
        // The SHA-256 of every chunk this run writes: the grid's manifest (chunks resumed from an earlier run are hashed
        // from the store at the end).
        Map<String, String> manifest = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Instant> writtenAt = new java.util.concurrent.ConcurrentHashMap<>();
        try (SlideReader slide = readers.open(located.path())) {
            result = pipeline.encode(plan, slide, encoder.encoder(), new SlideEncoder.ChunkStore() {
                private final AtomicInteger written = new AtomicInteger();

                @Override
                public Set<String> existingChunks() {
                    return storedChunks(prefix);
                }

                @Override
                public void writeChunk(String key, byte[] bytes) {
                    if (interruptAfter >= 0 && written.get() >= interruptAfter) {
                        throw new IllegalStateException("interrupted after " + interruptAfter + " chunks (test seam)");
                    }
                    stillWriting(prefix, slideId, runId);
                    store.put(prefix + key, bytes, "application/octet-stream");
                    manifest.put(key, Sha256.hex(bytes));
                    writtenAt.put(key, Instant.now());
                    written.incrementAndGet();
                }
            }, (done, total) -> {
                pauseForTests();
                progress.progress(slideId, done, total);
            });
        } catch (SlideException ex) {
            throw new StageFailure(ex.kind() == SlideException.Kind.READ_FAILED ? FailureReason.UNREADABLE_PIXELS
                    : FailureReason.UNOPENABLE_SLIDE, ex.getMessage(), ex);
        } catch (StorageException ex) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, ex.getMessage(), ex);
        }
        try {
            stillWriting(prefix, slideId, runId);
            finish(prefix, plan, planUri, planSha, encoder, result, started, manifest, writtenAt, runId, runs);
        } catch (StorageException ex) {
            throw new StageFailure(FailureReason.STORAGE_UNAVAILABLE, ex.getMessage(), ex);
        }
        LOG.infof("slide %s encoded with %s on %s: %d x %d x %d, %d tissue cells (%d resumed), %.1f s, %.0f patches/s",
                slideId, encoderId, encoder.encoder().device(), result.layout().channels(), result.layout().rows(),
                result.layout().cols(), result.tissueCells(), result.resumedCells(), result.wallSeconds(),
                result.patchesPerSecond());
        return new SlideEncoded(slideId, request.caseId(), store.uri(prefix).toString(), encoderId, encoder.sha256(),
                planUri.toString(), planSha, result.layout().channels(), result.layout().rows(), result.layout().cols(),
                result.tissueCells(), false, result.resumedCells(), result.readSeconds(), result.encodeSeconds(),
                result.writeSeconds(), result.wallSeconds(), result.patchesPerSecond(), encoder.encoder().device(),
                serviceName);
    }

    /**
     * Another run has taken this run's grid over: its replica was cut from the brokers long enough for its consumer
     * session to end, and the slide's partition (with the unacknowledged record) moved to another replica, which began a
     * run of its own. This run stops writing and answers nothing: the other run resumes from the chunks stored so far
     * and answers for the slide.
     */
    public static final class Superseded extends RuntimeException {
        public Superseded(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The fence that keeps one writer per grid: before each chunk and before finishing, the grid's run marker must still
     * name this run last. A replica cut from the brokers keeps its store, and would otherwise go on writing the grid
     * while the replica that took its partition writes it too (docs/grids.md#provenance). One small read per chunk.
     */
    private void stillWriting(String prefix, String slideId, String runId) {
        JsonNode runs;
        try {
            runs = EventJson.mapper().readTree(store.get(store.uri(prefix + RUN_MARKER))).path("runs");
        } catch (StorageException e) {
            if (e.notFound()) {
                throw new Superseded("slide " + slideId + ": run " + runId + " stops: the grid's run marker is gone (another "
                        + "run finished the grid)");
            }
            throw e;
        } catch (IOException e) {
            throw new Superseded("slide " + slideId + ": run " + runId + " stops: the grid's run marker is unreadable ("
                    + e.getMessage() + ")");
        }
        JsonNode last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last == null || !runId.equals(last.path("run").asText())) {
            throw new Superseded("slide " + slideId + ": run " + runId + " stops: run " + (last == null ? "?"
                    : last.path("run").asText() + " of " + last.path("writer").asText()) + " has taken the grid over");
        }
    }

    /** The stored grid's event when it is complete for this encoder and plan, else null. */
    private SlideEncoded reuse(String prefix, Request request, S3Uri planUri, String planSha, EncoderRegistry.Loaded encoder) {
        S3Uri group = store.uri(prefix + ".zgroup");
        if (!store.exists(group)) {
            return null;
        }
        try {
            JsonNode nic = EventJson.mapper().readTree(store.get(store.uri(prefix + ".zattrs"))).get("nic");
            if (nic == null || !planSha.equals(nic.at("/plan/sha256").asText())
                    || !encoder.sha256().equals(nic.at("/encoder/sha256").asText())) {
                return null;
            }
            LOG.infof("slide %s: complete grid for %s and this plan already stored; not encoding again", request.slideId(),
                    encoder.id());
            JsonNode run = nic.get("run");
            return new SlideEncoded(request.slideId(), request.caseId(), store.uri(prefix).toString(), encoder.id(),
                    encoder.sha256(), planUri.toString(), planSha, nic.get("channels").asInt(), nic.get("rows").asInt(),
                    nic.get("cols").asInt(), nic.get("tissueCells").asInt(), true, 0, run.get("readSeconds").asDouble(),
                    run.get("encodeSeconds").asDouble(), run.get("writeSeconds").asDouble(), run.get("wallSeconds").asDouble(),
                    run.get("patchesPerSecond").asDouble(), run.get("device").asText(), serviceName);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("slide %s: unreadable grid metadata under %s (%s); encoding again", request.slideId(), prefix, e.getMessage());
            return null;
        }
    }

    /**
     * Keeps chunks of an interrupted run of the same plan and encoder; anything else under the prefix
     * (another plan, another encoder version, a forced run) is deleted first.
     *
     * @return the runs of this grid so far, this one last: each {@code run}, {@code writer}, {@code startedAt}; the
     *         marker keeps them, so that a run resuming another's chunks knows whose they are
     */
    private List<Map<String, Object>> prepareRun(String prefix, String planSha, String encoderSha, boolean force,
                                                 String runId, Instant started) throws StageFailure {
        S3Uri marker = store.uri(prefix + RUN_MARKER);
        boolean resumable = false;
        List<Map<String, Object>> runs = new java.util.ArrayList<>();
        if (!force && store.exists(marker)) {
            try {
                JsonNode m = EventJson.mapper().readTree(store.get(marker));
                resumable = planSha.equals(m.path("planSha256").asText()) && encoderSha.equals(m.path("encoderSha256").asText());
                if (resumable) {
                    for (JsonNode r : m.path("runs")) {
                        runs.add(EventJson.mapper().convertValue(r, new com.fasterxml.jackson.core.type.TypeReference<
                                LinkedHashMap<String, Object>>() { }));
                    }
                }
            } catch (IOException e) {
                resumable = false;
            }
        }
        if (!resumable) {
            int removed = store.deletePrefix(prefix);
            if (removed > 0) {
                LOG.infof("removed %d objects of an earlier grid under %s", removed, prefix);
            }
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", runId);
        run.put("writer", WRITER);
        run.put("startedAt", started.toString());
        runs.add(run);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("planSha256", planSha);
        m.put("encoderSha256", encoderSha);
        m.put("startedAt", runs.get(0).get("startedAt"));
        m.put("runs", runs);
        store.put(prefix + RUN_MARKER, EventJson.toBytes(m), "application/json");
        return runs;
    }

    /** This process, as the writer of the chunks it stores: host (the pod's name in Kubernetes) and process id. */
    static final String WRITER = writer();

    private static String writer() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /**
     * Which run wrote each stored chunk: this run's own chunks by its record, earlier runs' by the chunk's store time
     * (the latest earlier run started before it). Two writers at once show in the store's times: a chunk this run did
     * not write stored after it started, or one it wrote stored again after its write. Such chunks are listed under
     * {@code concurrentChunks} (and logged), which must stay empty. Store times have whole seconds: a second's grace.
     *
     * @param stored     every code chunk under the grid's prefix and its store time
     * @param writtenAt  the chunks this run wrote, and when each write ended
     */
    static Map<String, Object> provenance(Map<String, Instant> stored, Map<String, Instant> writtenAt,
                                          List<Map<String, Object>> runs, String runId, Instant started) {
        Map<String, String> chunkRuns = new java.util.TreeMap<>();
        List<String> concurrent = new java.util.ArrayList<>();
        for (Map.Entry<String, Instant> chunk : stored.entrySet()) {
            Instant own = writtenAt.get(chunk.getKey());
            if (own != null) {
                chunkRuns.put(chunk.getKey(), runId);
                if (chunk.getValue().isAfter(own.plusSeconds(1))) {
                    concurrent.add(chunk.getKey());
                }
                continue;
            }
            String by = "unknown";
            for (Map<String, Object> r : runs) {
                if (!runId.equals(r.get("run")) && !Instant.parse(String.valueOf(r.get("startedAt")))
                        .isAfter(chunk.getValue().plusSeconds(1))) {
                    by = String.valueOf(r.get("run"));
                }
            }
            chunkRuns.put(chunk.getKey(), by);
            if (chunk.getValue().isAfter(started.plusSeconds(1))) {
                concurrent.add(chunk.getKey());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs);
        out.put("chunkRuns", chunkRuns);
        out.put("concurrentChunks", concurrent);
        return out;
    }

    /** The code chunks stored under the grid's prefix (all orientations), as keys relative to it. */
    Set<String> storedChunks(String prefix) {
        return storedChunkTimes(prefix).keySet();
    }

    /** The same chunks, each with the time the store took it. */
    private Map<String, Instant> storedChunkTimes(String prefix) {
        Map<String, Instant> out = new java.util.TreeMap<>();
        for (ObjectStore.ObjectInfo o : store.list(store.bucket(), prefix)) {
            String key = o.key().substring(prefix.length());
            if (key.matches(CHUNK_KEY)) {
                out.put(key, o.lastModified());
            }
        }
        return out;
    }

    private void finish(String prefix, SlidePlan plan, S3Uri planUri, String planSha, EncoderRegistry.Loaded encoder,
                        SlideEncoder.Result result, Instant started, Map<String, String> written,
                        Map<String, Instant> writtenAt, String runId, List<Map<String, Object>> runs) {
        GridLayout layout = result.layout();
        byte[] mask = new byte[layout.rows() * layout.cols()];
        for (int[] cell : plan.tissueCells()) {
            mask[cell[0] * layout.cols() + cell[1]] = 1;
        }
        byte[] tissueChunk = ZarrCodec.zlib(mask);
        store.put(prefix + "tissue/0.0", tissueChunk, "application/octet-stream");
        Map<String, String> manifest = new java.util.TreeMap<>(written);
        Map<String, Instant> stored = storedChunkTimes(prefix);
        for (String key : stored.keySet()) {
            manifest.computeIfAbsent(key, k -> Sha256.hex(store.get(store.uri(prefix + k))));
        }
        Map<String, Object> provenance = provenance(stored, writtenAt, runs, runId, started);
        if (!((List<?>) provenance.get("concurrentChunks")).isEmpty()) {
            LOG.errorf("slide %s: chunks %s of an earlier run of this grid were stored after run %s began: two writers at once",
                    plan.slideId(), provenance.get("concurrentChunks"), runId);
        }
        manifest.put("tissue/0.0", Sha256.hex(tissueChunk));
        store.put(prefix + "tissue/.zarray", ZarrCodec.json(ZarrCodec.tissueArray(layout.rows(), layout.cols())), "application/json");
        store.put(prefix + "tissue/.zattrs", EventJson.toBytes(Map.of("_ARRAY_DIMENSIONS", List.of("row", "col"))), "application/json");
        int orientations = config.encoder().orientations();
        for (int o = 0; o < orientations; o++) {
            String array = org.nic.encoding.Orientation.arrayName(o);
            GridLayout oriented = org.nic.encoding.Orientation.swapsAxes(o)
                    ? new GridLayout(layout.channels(), layout.cols(), layout.rows(), layout.chunkRows(), layout.chunkCols())
                    : layout;
            store.put(prefix + array + "/.zarray", ZarrCodec.json(ZarrCodec.codesArray(oriented)), "application/json");
            store.put(prefix + array + "/.zattrs", EventJson.toBytes(Map.of("_ARRAY_DIMENSIONS",
                    List.of("channel", "row", "col"), "orientation", o)), "application/json");
        }
        Map<String, Object> nic = new LinkedHashMap<>();
        nic.put("formatVersion", 1);
        nic.put("slideId", plan.slideId());
        nic.put("encoder", Map.of("id", encoder.id(), "sha256", encoder.sha256()));
        nic.put("plan", Map.of("uri", planUri.toString(), "sha256", planSha));
        nic.put("slideIdentity", plan.identity());
        nic.put("channels", layout.channels());
        nic.put("rows", layout.rows());
        nic.put("cols", layout.cols());
        nic.put("chunkCells", layout.chunkRows());
        nic.put("orientations", config.encoder().orientations());
        nic.put("tissueCells", result.tissueCells());
        nic.put("patchSize", plan.grid().patchSize());
        nic.put("targetSpacing", plan.grid().targetSpacing());
        nic.put("spacing", plan.grid().spacing());
        nic.put("spacingSource", plan.grid().spacingSource());
        nic.put("effectiveSpacing", plan.grid().effectiveSpacing());
        nic.put("level", plan.grid().level());
        nic.put("readSize", plan.grid().readSize());
        nic.put("resample", plan.grid().resample());
        nic.put("cellSizeLevel0", plan.grid().cellSizeLevel0());
        nic.put("origin", List.of(0, 0));
        nic.put("tissueMask", Map.of("array", "tissue", "png", store.uri(StorageLayout.mask(plan.slideId())).toString()));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("readSeconds", result.readSeconds());
        run.put("encodeSeconds", result.encodeSeconds());
        run.put("writeSeconds", result.writeSeconds());
        run.put("wallSeconds", result.wallSeconds());
        run.put("patchesPerSecond", result.patchesPerSecond());
        run.put("resumedCells", result.resumedCells());
        run.put("device", encoder.encoder().device());
        run.put("service", serviceName);
        run.put("startedAt", started.toString());
        run.put("finishedAt", Instant.now().toString());
        run.put("run", runId);
        run.put("writer", WRITER);
        nic.put("run", run);
        // Who wrote the grid: every run (a resumed grid has several) and each chunk's run (docs/grids.md#provenance).
        nic.put("provenance", provenance);
        // Every chunk's SHA-256, so a reader tells a lost or damaged chunk from background (docs/grids.md).
        nic.put("chunks", manifest);
        store.put(prefix + ".zattrs", EventJson.toBytes(Map.of("nic", nic)), "application/json");
        // The group document last: from here on the grid opens as Zarr.
        store.put(prefix + ".zgroup", EventJson.toBytes(Map.of("zarr_format", 2)), "application/json");
        store.delete(store.uri(prefix + RUN_MARKER));
    }
}
