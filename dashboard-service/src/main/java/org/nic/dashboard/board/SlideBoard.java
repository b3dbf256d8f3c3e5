package org.nic.dashboard.board;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.nic.event.Topics;
import org.nic.storage.StorageLayout;

/**
 * What the dashboard knows about recent slides, folded from the slide topics as they are read: the latest
 * stage, progress, predictions and failures of each slide, and the dead letters per topic. Bounded: the
 * least recently updated slides are forgotten first. Payloads are read leniently (a JSON tree, no schema),
 * so that whatever a producer wrote is shown, as text, and nothing is refused here: refusing is the
 * stages' job, and their verdicts arrive as slide-failed or dead letters.
 *
 * <p>Topics are read in parallel, so a slide's events can arrive out of order across topics: the stage
 * shown is that of the event with the latest record time (equal times: the later stage).
 */
public final class SlideBoard {

    /** Stages in pipeline order; a failure outranks them at equal times. */
    public enum Stage { ARRIVED, TILED, ENCODING, ENCODED, PREDICTED, FAILED }

    public record Tiling(Integer rows, Integer cols, Integer tissueCells, Double spacing, String spacingSource,
                         Double targetSpacing, Long durationMillis, String planSha256, String thumbnailUri) { }

    public record Progress(String stage, int done, int total, long at) { }

    public record Encoding(String encoderId, String gridUri, Boolean reused, Integer resumedCells, Integer tissueCells,
                           Double wallSeconds, Double patchesPerSecond, String device, String service) { }

    public record Prediction(String task, String kind, String headVersion, Double value, Map<String, Double> probabilities,
                             Double logRisk) { }

    public record Failure(String stage, String reason, String message, Boolean retriable, String service, Integer attempt,
                          Boolean retrying, long at) { }

    /**
     * One slide as the page shows it.
     *
     * @param idUsable whether the id is one NIC can name objects with (thumbnails and overlays exist only then)
     * @param totalMillis record time of its latest slide-predicted minus that of the arrival before it
     */
    public record SlideView(String slideId, boolean idUsable, String caseId, String scanner, String uri, Stage stage,
                            long arrivedAt, long updatedAt, int arrivals, Tiling tiling, Progress progress, Encoding encoding,
                            String predictionEncoderId, List<Prediction> predictions, Long latencyMillis, Long totalMillis,
                            String predictor, List<Failure> failures) {

        /** What a viewer sees: no source URI or scanner, and failures without their messages and services. */
        public SlideView forViewer() {
            return new SlideView(slideId, idUsable, caseId, null, null, stage, arrivedAt, updatedAt, arrivals, tiling, progress,
                    encoding, predictionEncoderId, predictions, latencyMillis, totalMillis, predictor, failures.stream()
                    .map(f -> new Failure(f.stage(), f.reason(), null, f.retriable(), null, f.attempt(), f.retrying(), f.at()))
                    .toList());
        }
    }

    public record DeadLetters(String topic, long count, String lastKey, String lastReason, long lastAt) { }

    public record Page(int total, int page, int size, List<SlideView> slides) { }

    private static final int FAILURES_KEPT = 5;

    /** A slide being folded; {@link #view()} is what leaves the board. */
    private static final class Slide {
        final String slideId;
        String caseId;
        String scanner;
        String uri;
        Stage stage;
        long stageAt;
        long arrivedAt;
        long updatedAt;
        int arrivals;
        Tiling tiling;
        Progress progress;
        Encoding encoding;
        String predictionEncoderId;
        List<Prediction> predictions = List.of();
        Long latencyMillis;
        Long totalMillis;
        String predictor;
        List<Failure> failures = List.of();

        Slide(String slideId, long t) {
            this.slideId = slideId;
            this.arrivedAt = t;
            this.updatedAt = t;
        }

        /** Moves to {@code next} when the event is at least as recent as the one that set the current stage. */
        void stage(Stage next, long t) {
            if (stage == null || t > stageAt || (t == stageAt && next.ordinal() >= stage.ordinal())) {
                stage = next;
                stageAt = t;
            }
        }

        SlideView view() {
            return new SlideView(slideId, StorageLayout.isValidSlideId(slideId), caseId, scanner, uri, stage, arrivedAt,
                    updatedAt, arrivals, tiling, progress, encoding, predictionEncoderId, predictions, latencyMillis,
                    totalMillis, predictor, failures);
        }
    }

    private final int maxSlides;
    private final LinkedHashMap<String, Slide> slides = new LinkedHashMap<>();
    private final Map<String, DeadLetters> deadLetters = new TreeMap<>();

    public SlideBoard(int maxSlides) {
        if (maxSlides < 1) {
            throw new IllegalArgumentException("maxSlides must be positive: " + maxSlides);
        }
        this.maxSlides = maxSlides;
    }

    /** Whether a topic is one this board folds as slide events (dead letters are counted apart). */
    public static boolean isSlideTopic(String topic) {
        return topic.startsWith("nic.slide.") && !topic.endsWith(Topics.DLQ_SUFFIX);
    }

    /**
     * Folds one record in.
     *
     * @param payload the record's value as a JSON tree (null when it is not JSON: only dead letters count then)
     * @param deadLetterReason the {@code dead-letter-reason} header, for dead letters
     * @return the slide as it is now, when the record changed one
     */
    public synchronized Optional<SlideView> apply(String topic, String key, long timestamp, JsonNode payload,
                                                  String deadLetterReason) {
        if (topic.endsWith(Topics.DLQ_SUFFIX)) {
            DeadLetters before = deadLetters.get(topic);
            deadLetters.put(topic, new DeadLetters(topic, before == null ? 1 : before.count() + 1, key, deadLetterReason,
                    timestamp));
            return Optional.empty();
        }
        if (payload == null || !payload.isObject() || !isSlideTopic(topic)) {
            return Optional.empty();
        }
        String slideId = text(payload, "slideId");
        if (slideId == null || slideId.isEmpty()) {
            slideId = key;
        }
        if (slideId == null || slideId.isEmpty()) {
            return Optional.empty();
        }
        Slide s = slides.remove(slideId);
        if (s == null) {
            s = new Slide(slideId, timestamp);
        }
        switch (topic) {
            case Topics.SLIDE_ARRIVED -> arrived(s, payload, timestamp);
            case Topics.SLIDE_TILED -> tiled(s, payload, timestamp);
            case Topics.SLIDE_PROGRESS -> progress(s, payload, timestamp);
            case Topics.SLIDE_ENCODED -> encoded(s, payload, timestamp);
            case Topics.SLIDE_PREDICTED -> predicted(s, payload, timestamp);
            case Topics.SLIDE_FAILED -> failed(s, payload, timestamp);
            default -> { }
        }
        s.updatedAt = Math.max(s.updatedAt, timestamp);
        slides.put(slideId, s); // re-inserted: the map's order is least recently updated first
        while (slides.size() > maxSlides) {
            slides.remove(slides.keySet().iterator().next());
        }
        return Optional.of(s.view());
    }

    public synchronized Optional<SlideView> slide(String slideId) {
        return Optional.ofNullable(slides.get(slideId)).map(Slide::view);
    }

    public synchronized int size() {
        return slides.size();
    }

    public synchronized List<DeadLetters> deadLetters() {
        return List.copyOf(deadLetters.values());
    }

    /**
     * A page of slides, most recently updated first.
     *
     * @param caseFilter keeps slides whose case id (or, lacking one, slide id) contains it, ignoring case; null = all
     * @param task keeps slides with a prediction for that task; null = all
     * @param stage keeps slides at that stage; null = all
     */
    public synchronized Page page(String caseFilter, String task, Stage stage, int page, int size) {
        String needle = caseFilter == null || caseFilter.isBlank() ? null : caseFilter.trim().toLowerCase(Locale.ROOT);
        List<Slide> matching = new ArrayList<>();
        for (Slide s : slides.values()) {
            if (needle != null && !(s.caseId != null ? s.caseId : s.slideId).toLowerCase(Locale.ROOT).contains(needle)) {
                continue;
            }
            if (task != null && !task.isBlank() && s.predictions.stream().noneMatch(p -> task.equals(p.task()))) {
                continue;
            }
            if (stage != null && s.stage != stage) {
                continue;
            }
            matching.add(s);
        }
        matching.sort(Comparator.comparingLong((Slide s) -> s.updatedAt).reversed().thenComparing(s -> s.slideId));
        int first = Math.max(0, page);
        int from = Math.min(matching.size(), first * size);
        int to = Math.min(matching.size(), from + size);
        return new Page(matching.size(), first, size, matching.subList(from, to).stream().map(Slide::view).toList());
    }

    /** Tasks with at least one prediction, for the filter. */
    public synchronized List<String> tasks() {
        return slides.values().stream().flatMap(s -> s.predictions.stream()).map(Prediction::task)
                .filter(java.util.Objects::nonNull).distinct().sorted().toList();
    }

    private static void arrived(Slide s, JsonNode p, long t) {
        s.caseId = or(text(p, "caseId"), s.caseId);
        s.scanner = or(text(p, "scanner"), s.scanner);
        s.uri = or(text(p, "uri"), s.uri);
        s.arrivals++;
        if (s.arrivals == 1 || t > s.arrivedAt) {
            s.arrivedAt = t;
        }
        s.stage(Stage.ARRIVED, t);
    }

    private static void tiled(Slide s, JsonNode p, long t) {
        s.tiling = new Tiling(integer(p, "rows"), integer(p, "cols"), integer(p, "tissueCells"), number(p, "spacing"),
                text(p, "spacingSource"), number(p, "targetSpacing"),
                p.path("durationMillis").isNumber() ? p.path("durationMillis").asLong() : null, text(p, "planSha256"),
                text(p, "thumbnailUri"));
        s.caseId = or(text(p, "caseId"), s.caseId);
        s.uri = or(text(p, "slideUri"), s.uri);
        if ((s.progress == null || s.progress.at() < t) && s.tiling.tissueCells() != null) {
            s.progress = new Progress("encoding", 0, s.tiling.tissueCells(), t);
        }
        s.stage(Stage.TILED, t);
    }

    private static void progress(Slide s, JsonNode p, long t) {
        if (s.progress != null && s.progress.at() > t) {
            return; // an older report than the one shown
        }
        int done = p.path("done").asInt(0);
        int total = p.path("total").asInt(0);
        s.progress = new Progress(text(p, "stage"), done, total, t);
        if (done < total) {
            s.stage(Stage.ENCODING, t);
        }
    }

    private static void encoded(Slide s, JsonNode p, long t) {
        s.encoding = new Encoding(text(p, "encoderId"), text(p, "gridUri"), bool(p, "reused"), integer(p, "resumedCells"),
                integer(p, "tissueCells"), number(p, "wallSeconds"), number(p, "patchesPerSecond"), text(p, "device"),
                text(p, "encoderService"));
        s.caseId = or(text(p, "caseId"), s.caseId);
        if (s.encoding.tissueCells() != null && (s.progress == null || s.progress.at() <= t)) {
            s.progress = new Progress("encoding", s.encoding.tissueCells(), s.encoding.tissueCells(), t);
        }
        s.stage(Stage.ENCODED, t);
    }

    private static void predicted(Slide s, JsonNode p, long t) {
        List<Prediction> predictions = new ArrayList<>();
        for (JsonNode q : p.path("predictions")) {
            Map<String, Double> probabilities = null;
            if (q.path("probabilities").isObject()) {
                probabilities = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : q.path("probabilities").properties()) {
                    probabilities.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : null);
                }
            }
            predictions.add(new Prediction(text(q, "task"), text(q, "kind"), text(q, "headVersion"), number(q, "value"),
                    probabilities, number(q, "logRisk")));
        }
        s.predictions = List.copyOf(predictions);
        s.predictionEncoderId = text(p, "encoderId");
        s.caseId = or(text(p, "caseId"), s.caseId);
        s.latencyMillis = p.path("latencyMillis").isNumber() ? p.path("latencyMillis").asLong() : null;
        s.predictor = text(p, "predictor");
        if (s.arrivals > 0 && t >= s.arrivedAt) {
            s.totalMillis = t - s.arrivedAt;
        }
        s.stage(Stage.PREDICTED, t);
    }

    private static void failed(Slide s, JsonNode p, long t) {
        List<Failure> failures = new ArrayList<>();
        Boolean retrying = bool(p, "retrying");
        failures.add(new Failure(text(p, "stage"), text(p, "reason"), text(p, "message"), bool(p, "retriable"),
                text(p, "service"), integer(p, "attempt"), retrying, t));
        failures.addAll(s.failures.subList(0, Math.min(s.failures.size(), FAILURES_KEPT - 1)));
        s.failures = List.copyOf(failures);
        s.uri = or(s.uri, text(p, "uri"));
        if (!Boolean.TRUE.equals(retrying)) {
            s.stage(Stage.FAILED, t); // an attempt NIC repeats by itself is listed, but the slide is not failed
        }
    }

    static String text(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
    }

    static Double number(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    static Integer integer(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v != null && v.canConvertToInt() && v.isNumber() ? v.asInt() : null;
    }

    static Boolean bool(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v != null && v.isBoolean() ? v.asBoolean() : null;
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }
}
