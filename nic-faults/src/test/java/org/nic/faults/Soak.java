package org.nic.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.nic.cli.EventClient;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.slide.SyntheticSlides;
import org.nic.slide.TestSlides;
import org.nic.storage.ObjectStore;
import org.nic.testing.ServiceProcess;

/**
 * The soak (deploy/local/run-soak.sh): 100 small slides, valid and invalid mixed, through the whole pipeline
 * ({@link Pipeline}: every part a process), while each service is killed with SIGKILL once and the object
 * store is down for 30 s. Prints the tallies (slides in, encoded, predicted, failed by reason, lost,
 * duplicated outputs) and exits 1 when a slide was lost or an output duplicated, or time ran out (30 min).
 */
public final class Soak {

    static final int SLIDES = 100;
    static final Duration LIMIT = Duration.ofMinutes(30);

    /** A slide sent in, and what it should end as: predicted, a failure with this reason, or a dead letter. */
    record Submission(String slideId, String uri, String expect) { }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/soak").toAbsolutePath());
        Path slides = Files.createDirectories(dir.resolve("slides"));
        Path small = SyntheticSlides.pyramid(slides.resolve("he-2000.tif"), 2);
        Path shared = TestSlides.data().resolve("slides");
        List<Submission> plan = plan(small, shared, Long.toString(System.currentTimeMillis(), 36));
        say(t0, "%d slides: %d valid, %d invalid (%s)", plan.size(), plan.stream().filter(s -> s.expect().equals("predicted")).count(),
                plan.stream().filter(s -> !s.expect().equals("predicted")).count(),
                plan.stream().map(Submission::expect).filter(e -> !e.equals("predicted")).distinct().toList());

        try (Pipeline nic = Pipeline.start(dir.resolve("stack-" + System.nanoTime()), List.of(slides, shared), 60);
             EventTap tap = new EventTap(nic.kafka.bootstrapServers(), nic.admin());
             EventClient events = new EventClient(nic.kafka.bootstrapServers(), nic.admin())) {
            say(t0, "broker, store and the four services up");
            // A head first, so that every valid slide is answered; the trainer is killed while it trains it.
            nic.publishLabels(events, 60, 5);
            ServiceProcess trainer = nic.service("trainer-service");
            waitFor(() -> log(trainer).contains("task " + Pipeline.TASK + ": training a head"), LIMIT);
            kill(t0, nic, "trainer-service");
            tap.await(Topics.MODEL_PUBLISHED, e -> (Pipeline.TASK + "/" + Pipeline.ENCODER).equals(e.key()), LIMIT);
            say(t0, "head published");

            Map<Integer, IntConsumer> faults = new TreeMap<>();
            faults.put(15, i -> kill(t0, nic, "tiler-service"));
            faults.put(35, i -> kill(t0, nic, "encoder-service"));
            faults.put(55, i -> outage(t0, nic, Duration.ofSeconds(30)));
            faults.put(75, i -> kill(t0, nic, "predictor-service"));
            List<Thread> running = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                Submission s = plan.get(i);
                if (s.expect().equals("dead-letter")) {
                    events.publishRaw(EventType.SLIDE_ARRIVED, s.slideId(), "{\"slideId\": \"../bad\", \"uri\": 1}"
                            .getBytes(StandardCharsets.UTF_8));
                } else {
                    events.publish(EventType.SLIDE_ARRIVED, s.slideId(), new SlideArrived(s.slideId(), s.uri(), "soak",
                            "case-" + i, null));
                }
                IntConsumer fault = faults.get(i);
                if (fault != null) {
                    int at = i;
                    Thread t = new Thread(() -> fault.accept(at), "soak-fault-" + i);
                    t.start();
                    running.add(t);
                }
                EventTap.pause(1000);
            }
            for (Thread t : running) {
                t.join();
            }
            say(t0, "all %d slides sent; waiting for every one to end", plan.size());
            long deadline = t0 + LIMIT.toNanos();
            while (System.nanoTime() < deadline && plan.stream().anyMatch(s -> !ended(tap, s))) {
                EventTap.pause(1000);
            }
            EventTap.pause(5000); // late repeats, if any, would show in the tallies
            boolean ok;
            try (ObjectStore store = nic.store()) {
                ok = report(t0, plan, tap, store);
            }
            System.exit(ok ? 0 : 1);
        }
    }

    /** 100 slides: small real-tissue slides and CMU-1, with every kind of bad input spread among them. */
    static List<Submission> plan(Path small, Path shared, String run) {
        List<Submission> plan = new ArrayList<>();
        String[][] invalid = {
                {"file:" + shared.resolve("invalid/unopenable.tiff"), "failed:UNOPENABLE_SLIDE"},
                {"file:" + shared.resolve("invalid/unreadable.svs"), "failed:UNREADABLE_PIXELS"},
                {"file:" + small.resolveSibling("missing.tif"), "failed:SLIDE_NOT_FOUND"},
                {"file:/etc/hostname", "failed:URI_NOT_ALLOWED"},
                {null, "dead-letter"}};
        for (int i = 0; i < SLIDES; i++) {
            String id = "soak-" + run + "-" + i;
            if (i % 7 == 3) {
                String[] bad = invalid[(i / 7) % invalid.length];
                plan.add(new Submission(id, bad[0], bad[1]));
            } else {
                plan.add(new Submission(id, "file:" + (i % 5 == 0 ? shared.resolve("CMU-1-Small-Region.svs") : small),
                        "predicted"));
            }
        }
        return plan;
    }

    static boolean ended(EventTap tap, Submission s) {
        return switch (s.expect()) {
            case "predicted" -> !tap.on(Topics.SLIDE_PREDICTED, s.slideId()).isEmpty() || SlideOutputs.givenUp(tap, s.slideId());
            case "dead-letter" -> !tap.on(Topics.deadLetters(Topics.SLIDE_ARRIVED), s.slideId()).isEmpty();
            default -> SlideOutputs.givenUp(tap, s.slideId());
        };
    }

    static boolean report(long t0, List<Submission> plan, EventTap tap, ObjectStore store) {
        Map<String, Integer> tally = new LinkedHashMap<>();
        List<String> lost = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        int retried = 0;
        for (Submission s : plan) {
            String id = s.slideId();
            tally.merge("in", 1, Integer::sum);
            if (!tap.on(Topics.SLIDE_ENCODED, id).isEmpty()) {
                tally.merge("encoded", 1, Integer::sum);
            }
            if (!tap.on(Topics.SLIDE_PREDICTED, id).isEmpty()) {
                tally.merge("predicted", 1, Integer::sum);
            }
            tap.on(Topics.SLIDE_FAILED, id).stream().filter(e -> !e.json().path("retrying").asBoolean(false))
                    .forEach(e -> tally.merge("failed " + e.text("reason"), 1, Integer::sum));
            if (tap.on(Topics.SLIDE_FAILED, id).stream().anyMatch(e -> e.json().path("retrying").asBoolean(false))) {
                retried++;
            }
            if (!tap.on(Topics.deadLetters(Topics.SLIDE_ARRIVED), id).isEmpty()) {
                tally.merge("dead-lettered", 1, Integer::sum);
            }
            if (!ended(tap, s)) {
                lost.add(id + " (expected " + s.expect() + ")");
            } else if (s.expect().startsWith("failed:") && tap.on(Topics.SLIDE_FAILED, id).stream()
                    .noneMatch(e -> s.expect().equals("failed:" + e.text("reason")))) {
                wrong.add(id + " failed, but not with " + s.expect());
            } else if (s.expect().equals("predicted") && SlideOutputs.givenUp(tap, id)) {
                wrong.add(id + " (valid) failed: " + tap.on(Topics.SLIDE_FAILED, id).stream().map(e -> e.text("reason")).toList());
            }
            if (!s.expect().equals("dead-letter")) {
                duplicated.addAll(SlideOutputs.duplicates(tap, store, id));
            }
        }
        say(t0, "soak over");
        System.out.println();
        System.out.println("| tally | slides |");
        System.out.println("|---|---|");
        tally.forEach((k, v) -> System.out.printf("| %s | %d |%n", k, v));
        System.out.printf("| attempts NIC retried by itself (slides) | %d |%n", retried);
        System.out.printf("| lost (no final outcome) | %d |%n", lost.size());
        System.out.printf("| ended otherwise than expected | %d |%n", wrong.size());
        System.out.printf("| duplicated outputs | %d |%n", duplicated.size());
        System.out.printf("| wall time | %.1f min |%n", (System.nanoTime() - t0) / 6e10);
        lost.forEach(l -> System.out.println("lost: " + l));
        wrong.forEach(w -> System.out.println("wrong: " + w));
        duplicated.forEach(d -> System.out.println("duplicated: " + d));
        return lost.isEmpty() && wrong.isEmpty() && duplicated.isEmpty();
    }

    static void kill(long t0, Pipeline nic, String module) {
        try {
            ServiceProcess service = nic.service(module);
            service.kill();
            say(t0, "kill -9 %s", module);
            service.restart();
            say(t0, "%s restarted and ready", module);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void outage(long t0, Pipeline nic, Duration length) {
        try {
            nic.s3.kill();
            say(t0, "object store down for %d s", length.toSeconds());
            EventTap.pause(length.toMillis());
            nic.s3.start();
            say(t0, "object store back");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            EventTap.pause(100);
        }
    }

    static String log(ServiceProcess s) {
        try {
            return s.log();
        } catch (IOException e) {
            return "";
        }
    }

    static void say(long t0, String format, Object... args) {
        System.out.printf("[soak %6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, String.format(format, args));
    }
}
