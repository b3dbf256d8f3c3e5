package org.nic.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.nic.event.EventJson;
import org.nic.event.FailureReason;
import org.nic.event.Topics;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nic redrive}: puts slides that NIC gave up on back in, once the cause is gone (a store outage longer than the
 * retry budget, a bug since fixed). Two sources:
 * <ul>
 *   <li>{@code --stage S}: every slide whose latest answer at stage S, in the time window, is a final
 *       {@code slide-failed} with one of the reasons (by default the passing ones: {@code STORAGE_UNAVAILABLE},
 *       {@code INTERNAL_ERROR}, {@code MODELS_LOADING}): the stage's input record for that slide (its latest before the
 *       failure) is published again on its topic, with its headers and payload;</li>
 *   <li>{@code --dead-letters T}: the records of {@code T.dlq} in the window go back onto {@code T}.</li>
 * </ul>
 * Idempotent: every copy carries {@code nic-redrive-of} naming what it re-drives (the failure's or the dead letter's
 * topic, partition and offset), and a record already re-driven is skipped; a dead letter that is itself a re-driven copy
 * is not sent round again. A copy loses the headers of its earlier retries, so the stage gives it its full attempts.
 */
@Command(name = "redrive", description = "Publish again the input of slides a stage gave up on (final slide-failed), or a"
        + " topic's dead letters, filtered by reason and time; idempotent (a record already re-driven is skipped).")
final class Redrive implements Callable<Integer> {

    /** The header on a re-driven copy naming what it re-drives: {@code <topic>/<partition>/<offset>}. */
    static final String MARK = "nic-redrive-of";
    /** Who re-drove it. */
    static final String BY = "nic-redriven-by";

    /** A slide stage: the name its slide-failed events carry, the topics it reads and the topics of its answers. */
    enum Stage {
        tiling(List.of(Topics.SLIDE_ARRIVED), List.of(Topics.SLIDE_TILED)),
        encoding(List.of(Topics.SLIDE_TILED, Topics.ENCODE_REQUESTED), List.of(Topics.SLIDE_ENCODED)),
        prediction(List.of(Topics.SLIDE_ENCODED), List.of(Topics.SLIDE_PREDICTED));

        final List<String> inputs;
        final List<String> outputs;

        Stage(List<String> inputs, List<String> outputs) {
            this.inputs = inputs;
            this.outputs = outputs;
        }
    }

    /** What to do with one slide or dead letter, and why. */
    record Decision(String key, boolean redrive, String why, ConsumerRecord<String, byte[]> input, String topic, String mark) {
        static Decision skip(String key, String why) {
            return new Decision(key, false, why, null, null, null);
        }
    }

    static final class Source {
        @Option(names = "--stage", required = true, description = "re-drive the final failures of this stage: ${COMPLETION-CANDIDATES}")
        Stage stage;

        @Option(names = "--dead-letters", required = true, paramLabel = "TOPIC",
                description = "re-drive the records of TOPIC.dlq onto TOPIC")
        String deadLetters;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--reason", split = ",", description = "with --stage: failure reasons to re-drive (default: the passing"
            + " ones, STORAGE_UNAVAILABLE, INTERNAL_ERROR, MODELS_LOADING); with --dead-letters: text the dead-letter-reason"
            + " header contains (default: any)")
    List<String> reasons;

    @Option(names = "--since", required = true, description = "start of the window: an instant (2026-12-07T02:00:00Z) or a"
            + " time back from now (PT6H)")
    String since;

    @Option(names = "--until", description = "end of the window, as --since (default: now)")
    String until;

    @Option(names = "--dry-run", description = "say what would be re-driven, publish nothing")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--by", description = "who re-drives, in each copy's nic-redriven-by header (default: $USER)")
    String by;

    @Override
    public Integer call() {
        Instant now = Instant.now();
        Instant from = instant(since, now, "--since");
        Instant to = until == null ? now : instant(until, now, "--until");
        String who = by != null && !by.isBlank() ? by : NicCli.env("USER", "operator");
        Set<String> wanted = source.stage == null ? Set.of()
                : reasons == null || reasons.isEmpty() ? passingReasons() : reasonNames(reasons);
        List<Decision> decisions;
        try (EventClient events = new EventClient(NicCli.bootstrap())) {
            if (source.stage != null) {
                Stage stage = source.stage;
                List<String> answers = new ArrayList<>(stage.outputs);
                answers.add(Topics.SLIDE_FAILED);
                decisions = forStage(stage, wanted, from, to, events.read(from, answers.toArray(String[]::new)),
                        events.read(null, stage.inputs.toArray(String[]::new)));
            } else {
                String topic = source.deadLetters;
                decisions = forDeadLetters(topic, reasons == null ? List.of() : reasons, from, to,
                        events.read(from, Topics.deadLetters(topic)), events.read(from, topic));
            }
            java.io.PrintWriter out = spec.commandLine().getOut();
            int redriven = 0;
            for (Decision d : decisions) {
                if (d.redrive()) {
                    if (!dryRun) {
                        events.republish(d.input(), d.topic(), Map.of(MARK, d.mark(), BY, who));
                    }
                    redriven++;
                    out.printf("%s %s onto %s (%s)%n", dryRun ? "would re-drive" : "re-drove", d.key(), d.topic(), d.why());
                } else {
                    out.printf("skipped %s: %s%n", d.key(), d.why());
                }
            }
            out.printf("%s %d, skipped %d%n", dryRun ? "would re-drive" : "re-drove", redriven, decisions.size() - redriven);
            out.flush();
        }
        return 0;
    }

    /** The decisions for a stage's final failures: pure, so that its rules are tested without a broker. */
    static List<Decision> forStage(Stage stage, Set<String> reasons, Instant from, Instant to,
                                   List<ConsumerRecord<String, byte[]>> answers, List<ConsumerRecord<String, byte[]>> inputs) {
        // The latest answer of this stage per slide: an output, or a slide-failed of this stage.
        Map<String, ConsumerRecord<String, byte[]>> latest = new LinkedHashMap<>();
        Map<String, JsonNode> failures = new HashMap<>();
        answers.stream().sorted(Comparator.comparingLong(ConsumerRecord::timestamp)).forEach(r -> {
            if (r.key() == null || r.timestamp() > to.toEpochMilli()) {
                return;
            }
            if (r.topic().equals(Topics.SLIDE_FAILED)) {
                JsonNode json = json(r);
                if (json == null || !stage.name().equals(json.path("stage").asText())) {
                    return;
                }
                failures.put(r.key(), json);
            }
            latest.put(r.key(), r);
        });
        Set<String> marks = inputs.stream().map(r -> EventClient.header(r, MARK)).filter(m -> m != null)
                .collect(Collectors.toSet());
        List<Decision> out = new ArrayList<>();
        latest.forEach((slide, last) -> {
            JsonNode failure = failures.get(slide);
            if (!last.topic().equals(Topics.SLIDE_FAILED)) {
                if (failure != null && !failure.path("retrying").asBoolean(false)) {
                    out.add(Decision.skip(slide, "answered on " + last.topic() + " since its " + failure.path("reason").asText()
                            + " failure"));
                }
                return;
            }
            if (last.timestamp() < from.toEpochMilli()) {
                return;
            }
            if (failure.path("retrying").asBoolean(false)) {
                return; // NIC is still retrying it itself
            }
            String reason = failure.path("reason").asText();
            String mark = Topics.SLIDE_FAILED + "/" + last.partition() + "/" + last.offset();
            if (!reasons.contains(reason)) {
                out.add(Decision.skip(slide, "failed " + reason + ", not a reason re-driven (--reason)"));
            } else if (marks.contains(mark)) {
                out.add(Decision.skip(slide, "its failure " + mark + " was re-driven already"));
            } else {
                ConsumerRecord<String, byte[]> input = inputs.stream()
                        .filter(r -> slide.equals(r.key()) && r.timestamp() <= last.timestamp())
                        .max(Comparator.comparingLong(ConsumerRecord::timestamp)).orElse(null);
                if (input == null) {
                    out.add(Decision.skip(slide, "its input is no longer on " + String.join(", ", stage.inputs)
                            + " (retention): publish it again from its source"));
                } else {
                    out.add(new Decision(slide, true, stage + " failed " + reason + " at "
                            + Instant.ofEpochMilli(last.timestamp()), input, input.topic(), mark));
                }
            }
        });
        return out;
    }

    /** The decisions for a topic's dead letters in the window. */
    static List<Decision> forDeadLetters(String topic, List<String> reasonTexts, Instant from, Instant to,
                                         List<ConsumerRecord<String, byte[]>> deadLetters,
                                         List<ConsumerRecord<String, byte[]>> main) {
        Set<String> marks = main.stream().map(r -> EventClient.header(r, MARK)).filter(m -> m != null)
                .collect(Collectors.toSet());
        List<Decision> out = new ArrayList<>();
        deadLetters.stream().sorted(Comparator.comparingLong(ConsumerRecord::timestamp)).forEach(r -> {
            if (r.timestamp() < from.toEpochMilli() || r.timestamp() > to.toEpochMilli()) {
                return;
            }
            String mark = r.topic() + "/" + r.partition() + "/" + r.offset();
            String key = r.key() != null ? r.key() : mark;
            String why = String.valueOf(EventClient.header(r, "dead-letter-reason"));
            if (!reasonTexts.isEmpty() && reasonTexts.stream().noneMatch(why::contains)) {
                out.add(Decision.skip(key, "dead-lettered for another reason (" + why + ")"));
            } else if (marks.contains(mark)) {
                out.add(Decision.skip(key, "dead letter " + mark + " was re-driven already"));
            } else if (EventClient.header(r, MARK) != null) {
                out.add(Decision.skip(key, "dead-lettered again after its re-drive of " + EventClient.header(r, MARK)
                        + " (" + why + "): fix the cause before sending it again"));
            } else {
                out.add(new Decision(key, true, "dead-lettered: " + why, r, topic, mark));
            }
        });
        return out;
    }

    static Set<String> passingReasons() {
        return Arrays.stream(FailureReason.values()).filter(FailureReason::retriable).map(Enum::name)
                .collect(Collectors.toCollection(HashSet::new));
    }

    private Set<String> reasonNames(List<String> names) {
        Set<String> out = new HashSet<>();
        for (String n : names) {
            try {
                out.add(FailureReason.valueOf(n.trim()).name());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no failure reason " + n + "; they are "
                        + Arrays.toString(FailureReason.values()));
            }
        }
        return out;
    }

    private Instant instant(String value, Instant now, String option) {
        try {
            return value.startsWith("P") || value.startsWith("p") ? now.minus(Duration.parse(value)) : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value
                    + ": give an instant (2026-12-07T02:00:00Z) or a time back from now (PT6H)");
        }
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> r) {
        try {
            return EventJson.mapper().readTree(r.value());
        } catch (IOException e) {
            return null;
        }
    }
}
