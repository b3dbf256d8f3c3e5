package org.nic.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.nic.event.Topics;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageLayout;

/**
 * What a slide left behind, judged for duplicates: one plan (slide-tiled), one grid (slide-encoded, one Zarr
 * group of one encoder, no unfinished run), one answer per head version (slide-predicted), at most one final
 * failure per stage (slide-failed). A repeated event
 * with the same CloudEvents id is one output delivered twice, which consumers drop; two ids are two outputs.
 */
final class SlideOutputs {

    private SlideOutputs() {
    }

    /** What is duplicated or unfinished for the slide; empty when each output exists once. */
    static List<String> duplicates(EventTap tap, ObjectStore store, String slide) {
        List<String> problems = new ArrayList<>();
        if (tap.ids(Topics.SLIDE_TILED, slide).size() > 1) {
            problems.add(slide + ": " + tap.ids(Topics.SLIDE_TILED, slide).size() + " plans (slide-tiled ids)");
        }
        if (tap.ids(Topics.SLIDE_ENCODED, slide).size() > 1) {
            problems.add(slide + ": " + tap.ids(Topics.SLIDE_ENCODED, slide).size() + " grids (slide-encoded ids)");
        }
        // A stage's last word on a slide, once: a repeat for the same record carries the same id (SlideFailed.eventId).
        Map<String, Set<String>> finals = tap.on(Topics.SLIDE_FAILED, slide).stream()
                .filter(e -> !e.json().path("retrying").asBoolean(false))
                .collect(Collectors.groupingBy(e -> e.text("stage"), Collectors.mapping(EventTap.Event::ceId, Collectors.toSet())));
        finals.forEach((stage, ids) -> {
            if (ids.size() > 1) {
                problems.add(slide + ": " + ids.size() + " final failures at " + stage + " (slide-failed ids)");
            }
        });
        Map<String, Set<String>> answers = tap.on(Topics.SLIDE_PREDICTED, slide).stream()
                .collect(Collectors.groupingBy(e -> e.json().get("predictions").get(0).get("headVersion").asText(),
                        Collectors.mapping(EventTap.Event::ceId, Collectors.toSet())));
        answers.forEach((version, ids) -> {
            if (ids.size() > 1) {
                problems.add(slide + ": " + ids.size() + " answers by head " + version);
            }
        });
        List<String> keys = store.list(store.bucket(), "grids/" + slide + "/").stream().map(ObjectStore.ObjectInfo::key).toList();
        if (keys.stream().anyMatch(k -> !k.startsWith(StorageLayout.grid(slide, Pipeline.ENCODER)))) {
            problems.add(slide + ": a grid of another encoder");
        }
        if (keys.stream().filter(k -> k.endsWith("/.zgroup")).count() > 1) {
            problems.add(slide + ": more than one grid");
        }
        if (keys.stream().anyMatch(k -> k.endsWith(".nic-run.json"))) {
            problems.add(slide + ": an unfinished encoding run left behind");
        }
        // No grid written by two writers at once: each chunk's run is recorded, and the encoder lists any chunk stored
        // by one run while another was writing (docs/grids.md#provenance).
        String zattrs = StorageLayout.grid(slide, Pipeline.ENCODER) + ".zattrs";
        if (keys.contains(zattrs)) {
            try {
                com.fasterxml.jackson.databind.JsonNode provenance = org.nic.event.EventJson.mapper()
                        .readTree(store.get(store.uri(zattrs))).at("/nic/provenance");
                if (provenance.isMissingNode() || !provenance.path("concurrentChunks").isEmpty()) {
                    problems.add(slide + ": chunks written by two runs at once (or no provenance): " + provenance);
                }
                java.util.Set<String> runs = new java.util.HashSet<>();
                provenance.path("runs").forEach(r -> runs.add(r.path("run").asText()));
                provenance.path("chunkRuns").forEach(r -> {
                    if (!runs.contains(r.asText())) {
                        problems.add(slide + ": a chunk of no recorded run (" + r.asText() + ")");
                    }
                });
            } catch (java.io.IOException e) {
                problems.add(slide + ": unreadable grid metadata");
            }
        }
        return problems;
    }

    /** Whether the slide's last word at some stage was a failure (not an attempt NIC repeats). */
    static boolean givenUp(EventTap tap, String slide) {
        return tap.on(Topics.SLIDE_FAILED, slide).stream().anyMatch(e -> !e.json().path("retrying").asBoolean(false));
    }

    /**
     * Waits until every slide is predicted (else fails with the slides' failures and {@code logs}), then asserts that
     * each left its outputs once, one writer at a time ({@link #duplicates}), and was never given up on.
     */
    static void assertPredictedOnce(EventTap tap, ObjectStore store, Set<String> slides, java.time.Duration timeout,
                                    java.util.function.Supplier<String> logs) {
        try {
            tap.awaitAll(Topics.SLIDE_PREDICTED, slides, e -> true, timeout);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nfailures: " + slides.stream()
                    .flatMap(s -> tap.on(Topics.SLIDE_FAILED, s).stream()).map(EventTap.Event::json).toList()
                    + logs.get(), e);
        }
        EventTap.pause(3000);
        for (String slide : slides) {
            List<String> problems = duplicates(tap, store, slide);
            if (!problems.isEmpty()) {
                throw new AssertionError(slide + ": each output once, one writer at a time: " + problems + logs.get());
            }
            if (givenUp(tap, slide)) {
                throw new AssertionError(slide + " was given up on");
            }
        }
    }
}
