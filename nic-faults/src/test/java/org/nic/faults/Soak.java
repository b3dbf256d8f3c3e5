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
 * The soak (deploy/local/run-soak.sh): small slides, valid and invalid mixed, through the whole pipeline
 * ({@link Pipeline}: every part a process), while each service is killed with SIGKILL once and the object
 * store is down for 30 s. Prints the tallies (slides in, encoded, predicted, failed by reason, lost,
 * duplicated outputs) and exits 1 when a slide was lost or an output duplicated, or time ran out.
 * <p>Arguments: {@code [work-folder] [--slides N] [--brokers B] [--replicas R]}. One broker (the default) is the
 * secured single broker; with more, a KRaft cluster of that many brokers, secured the same way, where also the broker leading most
 * {@code slide-tiled} partitions is stopped for 60 s; with {@code R} replicas, one replica of each service is the one
 * killed and the others go on (issue 24, point 9).
 */
public final class Soak {

    static final int SLIDES = 100;
    static final Duration BROKER_DOWN = Duration.ofSeconds(60);

    /** The command line: the work folder and the soak's size. */
    record Options(Path dir, int slides, int brokers, int replicas) {
        static Options parse(String[] args) {
            Path dir = Path.of("target/soak");
            int slides = SLIDES;
            int brokers = 1;
            int replicas = 1;
            List<String> words = new ArrayList<>();
            for (String a : args) {
                words.addAll(java.util.Arrays.stream(a.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList());
            }
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                switch (w) {
                    case "--slides" -> slides = positive(w, words, ++i);
                    case "--brokers" -> brokers = positive(w, words, ++i);
                    case "--replicas" -> replicas = positive(w, words, ++i);
                    default -> {
                        if (w.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + w
                                    + " (usage: [work-folder] [--slides N] [--brokers B] [--replicas R])");
                        }
                        dir = Path.of(w);
                    }
                }
            }
            if (brokers == 2) {
                throw new IllegalArgumentException("--brokers 2 has no majority once one is stopped: use 1 or 3 or more");
            }
            return new Options(dir.toAbsolutePath(), slides, brokers, replicas);
        }

        private static int positive(String option, List<String> words, int i) {
            if (i >= words.size() || !words.get(i).matches("[1-9][0-9]*")) {
                throw new IllegalArgumentException(option + " needs a positive number");
            }
            return Integer.parseInt(words.get(i));
        }

        /** Time for everything to end: the single-broker soak's 30 min for 100 slides, scaled with slides and JVMs. */
        Duration limit() {
            return Duration.ofMinutes(Math.max(30, 30L * slides / SLIDES * (brokers > 1 || replicas > 1 ? 2 : 1)));
        }
    }

    /** A slide sent in, and what it should end as: predicted, a failure with this reason, or a dead letter. */
    record Submission(String slideId, String uri, String expect) { }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Options options = Options.parse(args);
        Duration limit = options.limit();
        Path dir = Files.createDirectories(options.dir());
        Path slides = Files.createDirectories(dir.resolve("slides"));
        Path small = SyntheticSlides.pyramid(slides.resolve("he-2000.tif"), 2);
        Path shared = TestSlides.data().resolve("slides");
        List<Submission> plan = plan(options.slides(), small, shared, Long.toString(System.currentTimeMillis(), 36));
        say(t0, "%d slides: %d valid, %d invalid (%s); %d broker(s), %d replica(s) of the tiler, encoder and predictor",
                plan.size(), plan.stream().filter(s -> s.expect().equals("predicted")).count(),
                plan.stream().filter(s -> !s.expect().equals("predicted")).count(),
                plan.stream().map(Submission::expect).filter(e -> !e.equals("predicted")).distinct().toList(),
                options.brokers(), options.replicas());

        Path stack = dir.resolve("stack-" + System.nanoTime());
        List<Path> roots = List.of(slides, shared);
        try (Pipeline nic = options.brokers() == 1 && options.replicas() == 1 ? Pipeline.start(stack, roots, 60)
                : Pipeline.startCluster(stack, roots, 60, options.brokers(), options.replicas());
             EventTap tap = new EventTap(nic.bootstrapServers(), nic.admin());
             EventClient events = new EventClient(nic.bootstrapServers(), nic.admin())) {
            say(t0, "broker(s) (%s), store and %d service processes up", nic.secure() ? "TLS and SCRAM logins, ACLs" : "plaintext",
                    nic.services.size());
            // A head first, so that every valid slide is answered; the trainer is killed while it trains it.
            nic.publishLabels(events, 60, 5);
            ServiceProcess trainer = nic.service("trainer-service");
            waitFor(() -> log(trainer).contains("task " + Pipeline.TASK + ": training a head"), limit);
            kill(t0, nic, "trainer-service");
            tap.await(Topics.MODEL_PUBLISHED, e -> (Pipeline.TASK + "/" + Pipeline.ENCODER).equals(e.key()), limit);
            say(t0, "head published");

            Map<Integer, IntConsumer> faults = new TreeMap<>();
            int n = plan.size();
            faults.put(n * 15 / 100, i -> kill(t0, nic, "tiler-service"));
            if (options.brokers() > 1) {
                faults.put(n * 25 / 100, i -> brokerDown(t0, nic, BROKER_DOWN));
            }
            faults.put(n * 35 / 100, i -> kill(t0, nic, "encoder-service"));
            faults.put(n * 55 / 100, i -> outage(t0, nic, Duration.ofSeconds(30)));
            faults.put(n * 75 / 100, i -> kill(t0, nic, "predictor-service"));
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
            long deadline = t0 + limit.toNanos();
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

    /** {@code count} slides: small real-tissue slides and CMU-1, with every kind of bad input spread among them. */
    static List<Submission> plan(int count, Path small, Path shared, String run) {
        List<Submission> plan = new ArrayList<>();
        String[][] invalid = {
                {"file:" + shared.resolve("invalid/unopenable.tiff"), "failed:UNOPENABLE_SLIDE"},
                {"file:" + shared.resolve("invalid/unreadable.svs"), "failed:UNREADABLE_PIXELS"},
                {"file:" + small.resolveSibling("missing.tif"), "failed:SLIDE_NOT_FOUND"},
                {"file:/etc/hostname", "failed:URI_NOT_ALLOWED"},
                {null, "dead-letter"}};
        for (int i = 0; i < count; i++) {
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
        long redelivered = 0;
        for (Submission s : plan) {
            String id = s.slideId();
            tally.merge("in", 1, Integer::sum);
            if (!tap.on(Topics.SLIDE_ENCODED, id).isEmpty()) {
                tally.merge("encoded", 1, Integer::sum);
            }
            if (!tap.on(Topics.SLIDE_PREDICTED, id).isEmpty()) {
                tally.merge("predicted", 1, Integer::sum);
            }
            // Slides by reason (a repeat of the same failure, same CloudEvents id, is counted under duplicates).
            tap.on(Topics.SLIDE_FAILED, id).stream().filter(e -> !e.json().path("retrying").asBoolean(false))
                    .map(e -> e.text("reason")).distinct().forEach(reason -> tally.merge("failed " + reason, 1, Integer::sum));
            long repeats = tap.on(Topics.SLIDE_FAILED, id).size() - tap.ids(Topics.SLIDE_FAILED, id).size()
                    + tap.on(Topics.SLIDE_TILED, id).size() - tap.ids(Topics.SLIDE_TILED, id).size()
                    + tap.on(Topics.SLIDE_ENCODED, id).size() - tap.ids(Topics.SLIDE_ENCODED, id).size()
                    + tap.on(Topics.SLIDE_PREDICTED, id).size() - tap.ids(Topics.SLIDE_PREDICTED, id).size();
            redelivered += repeats;
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
        System.out.printf("| events delivered again under their original's id, which consumers drop (events) | %d |%n",
                redelivered);
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

    /** Stops the broker leading most {@code slide-tiled} partitions for {@code length}, then starts it again. */
    static void brokerDown(long t0, Pipeline nic, Duration length) {
        try {
            int leader = nic.cluster.leaderOfMost(Topics.SLIDE_TILED);
            nic.cluster.node(leader).kill();
            say(t0, "broker %d (leading most slide-tiled partitions) down for %d s", leader, length.toSeconds());
            EventTap.pause(length.toMillis());
            nic.cluster.node(leader).start();
            say(t0, "broker %d back", leader);
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
