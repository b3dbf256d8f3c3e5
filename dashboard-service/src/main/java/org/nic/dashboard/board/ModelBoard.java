package org.nic.dashboard.board;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nic.event.Topics;

/**
 * The heads, folded from the compacted model-published topic (the active head of each task and encoder) and
 * from model-decided (the history: published, refused and why, pinned, by whom). Newest history first,
 * bounded per head key.
 */
public final class ModelBoard {

    /** An active head, as model-published states it. */
    public record ActiveHead(String task, String kind, String encoderId, String headVersion, String metric,
                             Double heldOutMetric, Double heldOutLower, Double heldOutUpper, Double gain, Double gainLower,
                             Integer heldOutSlides, String reason, String sha256, String modelUri, String cardUri,
                             long at) { }

    /** One decision about a head. */
    public record Decision(String decision, String headVersion, String metric, Double heldOutMetric, Double heldOutLower,
                           Double heldOutUpper, Double gain, Double gainLower, Integer trainSlides, Integer heldOutSlides,
                           String reason, String by, long at) { }

    /** Everything about one task and encoder. */
    public record Head(String task, String encoderId, String kind, ActiveHead active, List<Decision> history) { }

    private final int historyPerHead;
    private final Map<String, ActiveHead> active = new TreeMap<>();
    private final Map<String, Deque<Decision>> history = new TreeMap<>();
    private final Map<String, String[]> names = new TreeMap<>();

    public ModelBoard(int historyPerHead) {
        this.historyPerHead = historyPerHead;
    }

    public static boolean isModelTopic(String topic) {
        return Topics.MODEL_PUBLISHED.equals(topic) || Topics.MODEL_DECIDED.equals(topic);
    }

    /** Folds one record in; returns whether it changed anything. */
    public synchronized boolean apply(String topic, long timestamp, JsonNode p) {
        if (p == null || !p.isObject()) {
            return false;
        }
        String task = SlideBoard.text(p, "task");
        String encoder = SlideBoard.text(p, "encoderId");
        if (task == null || encoder == null) {
            return false;
        }
        String key = task + "/" + encoder;
        names.put(key, new String[] {task, encoder, SlideBoard.text(p, "kind")});
        if (Topics.MODEL_PUBLISHED.equals(topic)) {
            active.put(key, new ActiveHead(task, SlideBoard.text(p, "kind"), encoder, SlideBoard.text(p, "headVersion"),
                    SlideBoard.text(p, "metric"), SlideBoard.number(p, "heldOutMetric"), SlideBoard.number(p, "heldOutLower"),
                    SlideBoard.number(p, "heldOutUpper"), SlideBoard.number(p, "gain"), SlideBoard.number(p, "gainLower"),
                    SlideBoard.integer(p, "heldOutSlides"), SlideBoard.text(p, "reason"), SlideBoard.text(p, "sha256"),
                    SlideBoard.text(p, "modelUri"), SlideBoard.text(p, "cardUri"), timestamp));
            return true;
        }
        if (Topics.MODEL_DECIDED.equals(topic)) {
            Deque<Decision> h = history.computeIfAbsent(key, k -> new ArrayDeque<>());
            h.addFirst(new Decision(SlideBoard.text(p, "decision"), SlideBoard.text(p, "headVersion"),
                    SlideBoard.text(p, "metric"), SlideBoard.number(p, "heldOutMetric"), SlideBoard.number(p, "heldOutLower"),
                    SlideBoard.number(p, "heldOutUpper"), SlideBoard.number(p, "gain"), SlideBoard.number(p, "gainLower"),
                    SlideBoard.integer(p, "trainSlides"), SlideBoard.integer(p, "heldOutSlides"),
                    SlideBoard.text(p, "reason"), SlideBoard.text(p, "by"), timestamp));
            while (h.size() > historyPerHead) {
                h.removeLast();
            }
            return true;
        }
        return false;
    }

    /** Every task and encoder seen, by task then encoder. */
    public synchronized List<Head> heads() {
        List<Head> out = new ArrayList<>();
        names.forEach((key, n) -> out.add(new Head(n[0], n[1], active.containsKey(key) ? active.get(key).kind() : n[2],
                active.get(key), List.copyOf(history.getOrDefault(key, new ArrayDeque<>())))));
        return out;
    }

    /** The active head of a task for an encoder, if any. */
    public synchronized ActiveHead active(String task, String encoderId) {
        return active.get(task + "/" + encoderId);
    }
}
