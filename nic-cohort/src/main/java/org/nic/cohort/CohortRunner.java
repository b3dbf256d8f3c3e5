package org.nic.cohort;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.nic.cli.EventClient;
import org.nic.event.EncodeRequested;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.LabelRecorded;
import org.nic.event.ModelDecided;
import org.nic.event.ModelPublished;
import org.nic.event.SlideArrived;
import org.nic.event.SlideEncoded;
import org.nic.event.SlidePredicted;
import org.nic.event.Topics;

/**
 * Runs a cohort through the live system, as a lab would: every slide arrives (slide-arrived, a {@code file:}
 * URI), the tiler and encoder turn it into a grid; the training slides' labels are recorded
 * (label-recorded, three tasks); the trainer trains and publishes heads (model-published); the test slides
 * are sent again (encode-requested: their grids are reused) and the predictor answers (slide-predicted).
 * Nothing here trains or predicts: the services do, and this only talks to Kafka.
 */
public final class CohortRunner {

    /**
     * @param bootstrap Kafka bootstrap servers
     * @param encoderId the encoder whose grids the trainer and predictor use
     * @param timeout longest wait for each phase
     */
    public record Settings(String bootstrap, String encoderId, Duration timeout) { }

    /** What came back: the heads published and the test slides' predictions. */
    public record Result(Map<String, ModelPublished> heads, Map<String, SlidePredicted> predictions, Set<String> failed,
                         double seconds) { }

    private CohortRunner() {
    }

    public static Result run(List<CohortGenerator.Slide> slides, Settings s, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        try (EventClient events = new EventClient(s.bootstrap())) {
            // 1. Arrivals: every slide through the tiler and the encoder.
            var from = events.endOffsets(Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            for (CohortGenerator.Slide x : slides) {
                events.publish(EventType.SLIDE_ARRIVED, x.slideId(), new SlideArrived(x.slideId(),
                        "file:" + x.file().toAbsolutePath(), "nic-cohort", x.slideId(), null));
            }
            log.printf("[run] %d slides arrived; waiting for their grids (encoder %s)%n", slides.size(), s.encoderId());
            Set<String> ids = new HashSet<>(slides.stream().map(CohortGenerator.Slide::slideId).toList());
            Set<String> encoded = new HashSet<>();
            Set<String> failed = new HashSet<>();
            long e0 = System.nanoTime();
            events.find(from, r -> {
                if (!ids.contains(r.key()) || encoded.contains(r.key()) || failed.contains(r.key()) || !EventClient.isFinal(r)) {
                    return false;
                }
                if (r.topic().equals(Topics.SLIDE_FAILED)) {
                    failed.add(r.key());
                    log.printf("%n[run] %s failed: %s%n", r.key(), new String(r.value()));
                } else if (s.encoderId().equals(parse(r, SlideEncoded.class).encoderId())) {
                    encoded.add(r.key());
                }
                int done = encoded.size() + failed.size();
                double elapsed = (System.nanoTime() - e0) / 1e9;
                log.printf("\r[run] %d/%d slides encoded, %d failed, %.0f s, ETA %.0f s   ", encoded.size(), ids.size(),
                        failed.size(), elapsed, elapsed / done * (ids.size() - done));
                return done == ids.size();
            }, s.timeout().multipliedBy(Math.max(1, slides.size() / 20)), Topics.SLIDE_ENCODED, Topics.SLIDE_FAILED);
            log.println();
            if (encoded.size() + failed.size() < ids.size()) {
                throw new IllegalStateException("only " + encoded.size() + " of " + ids.size() + " slides were encoded in time");
            }

            // 2. Labels of the training slides; the trainer trains when they are in.
            var models = events.endOffsets(Topics.MODEL_PUBLISHED);
            var decisions = events.endOffsets(Topics.MODEL_DECIDED);
            int labels = 0;
            for (CohortGenerator.Slide x : slides) {
                if (!x.split().equals("train") || failed.contains(x.slideId())) {
                    continue;
                }
                for (LabelRecorded l : labels(x)) {
                    events.publish(EventType.LABEL_RECORDED, l.key(), l);
                    labels++;
                }
            }
            log.printf("[run] %d labels recorded; waiting for the trainer's heads%n", labels);
            // The trainer's decision per task: a head that its gate refuses is not waited for.
            Set<String> wanted = new HashSet<>();
            for (CohortTask t : CohortTask.values()) {
                wanted.add(t.task() + "/" + s.encoderId());
            }
            Map<String, ModelDecided> decided = new LinkedHashMap<>();
            events.find(decisions, r -> {
                if (wanted.contains(r.key())) {
                    ModelDecided d = parse(r, ModelDecided.class);
                    decided.put(r.key(), d);
                    if (!ModelDecided.PUBLISHED.equals(d.decision())) {
                        log.printf("[run] head %s %s: %s%n", d.task(), d.decision(), d.reason());
                    }
                }
                return decided.size() == wanted.size();
            }, s.timeout(), Topics.MODEL_DECIDED);
            wanted.removeIf(k -> decided.containsKey(k) && !ModelDecided.PUBLISHED.equals(decided.get(k).decision()));
            Map<String, ModelPublished> heads = new LinkedHashMap<>();
            if (!wanted.isEmpty()) { // wait for the published ones
                events.find(models, r -> {
                    if (wanted.contains(r.key())) {
                        ModelPublished m = parse(r, ModelPublished.class);
                        heads.put(m.task(), m);
                        log.printf("[run] head %s %s published: %s %.3f [%s, %s] on %d held-out slides%n", m.task(), m.headVersion(),
                                m.metric(), m.heldOutMetric(), fmt(m.heldOutLower()), fmt(m.heldOutUpper()), m.heldOutSlides());
                    }
                    return heads.size() == wanted.size();
                }, s.timeout(), Topics.MODEL_PUBLISHED);
            }
            if (heads.isEmpty()) {
                throw new IllegalStateException("the trainer published no head within " + s.timeout()
                        + ": its log says why (too few slides, or no gain that holds under the publish gate)");
            }

            // 3. The test slides again: grids reused, every active head predicts.
            var predictedFrom = events.endOffsets(Topics.SLIDE_PREDICTED);
            Set<String> test = new HashSet<>();
            for (CohortGenerator.Slide x : slides) {
                if (x.split().equals("test") && !failed.contains(x.slideId())) {
                    test.add(x.slideId());
                    events.publish(EventType.ENCODE_REQUESTED, x.slideId(), new EncodeRequested(x.slideId(), s.encoderId(), false));
                }
            }
            log.printf("[run] %d test slides sent again; waiting for their predictions%n", test.size());
            Map<String, SlidePredicted> predictions = new LinkedHashMap<>();
            events.find(predictedFrom, r -> {
                if (test.contains(r.key())) {
                    SlidePredicted p = parse(r, SlidePredicted.class);
                    if (p.encoderId().equals(s.encoderId()) && p.predictions().size() >= heads.size()) {
                        predictions.put(p.slideId(), p);
                    }
                }
                return predictions.size() == test.size();
            }, s.timeout(), Topics.SLIDE_PREDICTED);
            log.printf("[run] %d/%d test slides predicted%n", predictions.size(), test.size());
            return new Result(heads, predictions, failed, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The three label-recorded events of a training slide. */
    static List<LabelRecorded> labels(CohortGenerator.Slide x) {
        return List.of(
                new LabelRecorded(x.slideId(), x.slideId(), CohortTask.TUMOUR_FRACTION.task(), x.tumourFraction(), null, null,
                        null, "nic-cohort"),
                new LabelRecorded(x.slideId(), x.slideId(), CohortTask.GROWTH_PATTERN.task(), null, x.patternLabel(), null, null,
                        "nic-cohort"),
                new LabelRecorded(x.slideId(), x.slideId(), CohortTask.OVERALL_SURVIVAL.task(), null, null, x.time(), x.event(),
                        "nic-cohort"));
    }

    /** The test slides' scores for a task from their slide-predicted events (NaN when missing). */
    /**
     * The predictor's answers on the test slides, as {@link CohortEvaluation#interval} scores them: the value or
     * log-risk, P(second class) for two classes, the class probabilities in class order for more; NaN where missing.
     */
    public static double[][] scores(CohortTask task, List<CohortGenerator.Slide> test, Map<String, SlidePredicted> predictions,
                                    CohortGenerator.Patterns family) {
        List<String> classes = family.classes();
        double[][] out = new double[test.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new double[task == CohortTask.GROWTH_PATTERN && classes.size() > 2 ? classes.size() : 1];
            java.util.Arrays.fill(out[i], Double.NaN);
            SlidePredicted p = predictions.get(test.get(i).slideId());
            if (p == null) {
                continue;
            }
            for (SlidePredicted.Prediction q : p.predictions()) {
                if (!q.task().equals(task.task())) {
                    continue;
                }
                switch (task.kind()) {
                    case REGRESSION -> out[i][0] = q.value();
                    case SURVIVAL -> out[i][0] = q.logRisk();
                    case CLASSIFICATION -> {
                        if (classes.size() == 2) {
                            out[i][0] = q.probabilities().get(classes.get(1));
                        } else {
                            for (int c = 0; c < classes.size(); c++) {
                                out[i][c] = q.probabilities().get(classes.get(c));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static <T> T parse(ConsumerRecord<String, byte[]> r, Class<T> type) {
        try {
            return EventJson.mapper().readValue(r.value(), type);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable " + r.topic() + " record: " + e.getMessage(), e);
        }
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%.3f", v);
    }
}
