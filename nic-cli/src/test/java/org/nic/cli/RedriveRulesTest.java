package org.nic.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.nic.event.Topics;

/** The rules of {@code nic redrive}, on records made here (the command against a broker: nic-faults' RedriveTest). */
class RedriveRulesTest {

    static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
    private long offset;

    ConsumerRecord<String, byte[]> record(String topic, String key, long second, String json, Map<String, String> headers) {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((k, v) -> h.add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
        return new ConsumerRecord<>(topic, 0, offset++, T0.plusSeconds(second).toEpochMilli(), TimestampType.CREATE_TIME, -1, -1,
                key, json.getBytes(StandardCharsets.UTF_8), h, Optional.empty());
    }

    ConsumerRecord<String, byte[]> failed(String slide, long second, String stage, String reason, boolean retrying) {
        return record(Topics.SLIDE_FAILED, slide, second, "{\"slideId\":\"" + slide + "\",\"stage\":\"" + stage
                + "\",\"reason\":\"" + reason + "\",\"retrying\":" + retrying + "}", Map.of());
    }

    @Test
    void onlySlidesWhoseLatestAnswerIsAFinalFailureForAPassingReasonInTheWindowAreRedrivenWithTheirLatestInput() {
        List<ConsumerRecord<String, byte[]>> inputs = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> answers = new ArrayList<>();
        ConsumerRecord<String, byte[]> firstA = record(Topics.SLIDE_ARRIVED, "a", 1, "{\"v\":1}", Map.of());
        ConsumerRecord<String, byte[]> secondA = record(Topics.SLIDE_ARRIVED, "a", 5, "{\"v\":2}", Map.of("ce_id", "x"));
        inputs.addAll(List.of(firstA, secondA, record(Topics.SLIDE_ARRIVED, "a", 500, "{\"v\":3}", Map.of()),
                record(Topics.SLIDE_ARRIVED, "retrying", 1, "{}", Map.of()),
                record(Topics.SLIDE_ARRIVED, "recovered", 1, "{}", Map.of()),
                record(Topics.SLIDE_ARRIVED, "bad", 1, "{}", Map.of()),
                record(Topics.SLIDE_ARRIVED, "early", 1, "{}", Map.of())));
        answers.add(failed("a", 10, "tiling", "STORAGE_UNAVAILABLE", true));
        ConsumerRecord<String, byte[]> finalA = failed("a", 60, "tiling", "STORAGE_UNAVAILABLE", false);
        answers.add(finalA);
        answers.add(failed("a", 70, "encoding", "INTERNAL_ERROR", false)); // another stage: not this one's business
        answers.add(failed("retrying", 60, "tiling", "STORAGE_UNAVAILABLE", true));
        answers.add(failed("recovered", 60, "tiling", "STORAGE_UNAVAILABLE", false));
        answers.add(record(Topics.SLIDE_TILED, "recovered", 90, "{}", Map.of()));
        answers.add(failed("bad", 60, "tiling", "NOT_A_SLIDE", false));
        answers.add(failed("noinput", 60, "tiling", "INTERNAL_ERROR", false));
        answers.add(failed("early", -100, "tiling", "STORAGE_UNAVAILABLE", false));

        List<Redrive.Decision> d = Redrive.forStage(Redrive.Stage.tiling, Redrive.passingReasons(), T0, T0.plusSeconds(400),
                answers, inputs);
        assertThat(d).extracting(Redrive.Decision::key).containsExactlyInAnyOrder("a", "bad", "noinput", "recovered");
        assertThat(d.stream().filter(x -> x.key().equals("recovered")).findFirst().orElseThrow().why())
                .startsWith("answered on " + Topics.SLIDE_TILED);
        Redrive.Decision a = d.stream().filter(x -> x.key().equals("a")).findFirst().orElseThrow();
        assertThat(a.redrive()).isTrue();
        assertThat(a.input()).as("the latest input before the failure, not one after it").isSameAs(secondA);
        assertThat(a.topic()).isEqualTo(Topics.SLIDE_ARRIVED);
        assertThat(a.mark()).isEqualTo(Topics.SLIDE_FAILED + "/0/" + finalA.offset());
        assertThat(d.stream().filter(x -> x.key().equals("bad")).findFirst().orElseThrow().redrive()).isFalse();
        assertThat(d.stream().filter(x -> x.key().equals("noinput")).findFirst().orElseThrow().why()).contains("retention");

        // Asked for, a permanent reason is re-driven too.
        assertThat(Redrive.forStage(Redrive.Stage.tiling, java.util.Set.of("NOT_A_SLIDE"), T0, T0.plusSeconds(400), answers,
                inputs)).filteredOn(Redrive.Decision::redrive).extracting(Redrive.Decision::key).containsExactly("bad");

        // Once its copy is on the input topic, the failure is not re-driven again.
        inputs.add(record(Topics.SLIDE_ARRIVED, "a", 100, "{\"v\":2}", Map.of(Redrive.MARK, a.mark())));
        assertThat(Redrive.forStage(Redrive.Stage.tiling, Redrive.passingReasons(), T0, T0.plusSeconds(400), answers, inputs))
                .filteredOn(Redrive.Decision::redrive).isEmpty();
        // But if the copy failed again, finally, that new failure is re-driven (with the copy, the latest input).
        ConsumerRecord<String, byte[]> again = failed("a", 200, "tiling", "STORAGE_UNAVAILABLE", false);
        answers.add(again);
        List<Redrive.Decision> second = Redrive.forStage(Redrive.Stage.tiling, Redrive.passingReasons(), T0,
                T0.plusSeconds(400), answers, inputs);
        assertThat(second).filteredOn(Redrive.Decision::redrive).singleElement()
                .satisfies(x -> assertThat(x.mark()).endsWith("/" + again.offset()));
    }

    @Test
    void deadLettersGoBackOnceAndACopyDeadLetteredAgainIsNotSentRound() {
        String topic = Topics.SLIDE_ARRIVED;
        String dlq = Topics.deadLetters(topic);
        ConsumerRecord<String, byte[]> malformed = record(dlq, "k1", 10, "{nope", Map.of("dead-letter-reason", "malformed JSON"));
        ConsumerRecord<String, byte[]> other = record(dlq, "k2", 20, "{}", Map.of("dead-letter-reason", "no slide id"));
        ConsumerRecord<String, byte[]> before = record(dlq, "k0", -5, "{}", Map.of("dead-letter-reason", "malformed JSON"));
        List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>(List.of(malformed, other, before));
        List<ConsumerRecord<String, byte[]>> main = new ArrayList<>();

        List<Redrive.Decision> d = Redrive.forDeadLetters(topic, List.of("malformed"), T0, T0.plusSeconds(60), dead, main);
        assertThat(d).filteredOn(Redrive.Decision::redrive).singleElement().satisfies(x -> {
            assertThat(x.input()).isSameAs(malformed);
            assertThat(x.topic()).isEqualTo(topic);
        });
        String mark = dlq + "/0/" + malformed.offset();
        main.add(record(topic, "k1", 30, "{nope", Map.of(Redrive.MARK, mark)));
        dead.add(record(dlq, "k1", 31, "{nope", Map.of("dead-letter-reason", "malformed JSON", Redrive.MARK, mark)));
        List<Redrive.Decision> again = Redrive.forDeadLetters(topic, List.of(), T0, T0.plusSeconds(60), dead, main);
        assertThat(again).filteredOn(Redrive.Decision::redrive).extracting(Redrive.Decision::key).containsExactly("k2");
        assertThat(again).filteredOn(x -> !x.redrive()).extracting(Redrive.Decision::why)
                .anySatisfy(w -> assertThat(w).contains("re-driven already"))
                .anySatisfy(w -> assertThat(w).contains("dead-lettered again"));
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsRead() {
        assertThat(LabelCommandTest.run("redrive", "--since", "PT1H").err()).contains("--stage", "--dead-letters");
        assertThat(LabelCommandTest.run("redrive", "--stage", "tiling", "--dead-letters", "x", "--since", "PT1H").exit())
                .isEqualTo(2);
        assertThat(LabelCommandTest.run("redrive", "--stage", "tiling", "--since", "yesterday").err()).contains("--since");
        assertThat(LabelCommandTest.run("redrive", "--stage", "tiling", "--since", "PT1H", "--reason", "BAD_LUCK").err())
                .contains("no failure reason BAD_LUCK");
    }
}
