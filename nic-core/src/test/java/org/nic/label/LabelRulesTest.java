package org.nic.label;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nic.event.EventJson;
import org.nic.event.EventType;
import org.nic.event.LabelRecorded;
import org.nic.event.ModelPublished;
import org.nic.model.TaskKind;

class LabelRulesTest {

    private final LabelValidator validator = new LabelValidator(Map.of(
            "score", new TaskDefinition("score", TaskKind.REGRESSION, List.of()),
            "growth", new TaskDefinition("growth", TaskKind.CLASSIFICATION, List.of("desmoplastic", "replacement")),
            "os", new TaskDefinition("os", TaskKind.SURVIVAL, List.of())));

    @Test
    void rejectsWhatCannotBeTrainedOnWithAReason() {
        assertThat(validator.problem(new LabelRecorded("s1", null, "score", 0.4, null, null, null, "lab"))).isEmpty();
        assertThat(validator.problem(new LabelRecorded("s1", null, "stage", 1.0, null, null, null, "lab")))
                .hasValueSatisfying(r -> assertThat(r).contains("unknown task stage"));
        assertThat(validator.problem(new LabelRecorded("s1", null, "score", Double.NaN, null, null, null, "lab")))
                .hasValueSatisfying(r -> assertThat(r).contains("finite"));
        assertThat(validator.problem(new LabelRecorded("s1", null, "growth", null, "pushing", null, null, "lab")))
                .hasValueSatisfying(r -> assertThat(r).contains("pushing").contains("replacement"));
        assertThat(validator.problem(new LabelRecorded("s1", null, "growth", null, "replacement", null, null, "lab"))).isEmpty();
        assertThat(validator.problem(new LabelRecorded("s1", null, "os", null, null, -3.0, true, "registry")))
                .hasValueSatisfying(r -> assertThat(r).contains(">= 0"));
        assertThat(validator.problem(new LabelRecorded("s1", null, "os", null, null, 30.0, null, "registry")))
                .hasValueSatisfying(r -> assertThat(r).contains("censored"));
        assertThat(validator.problem(new LabelRecorded("s1", null, "os", null, null, 0.0, false, "registry"))).isEmpty();
        assertThat(validator.problem(new LabelRecorded("../x", null, "score", 1.0, null, null, null, "lab"))).isPresent();
    }

    @Test
    void heldOutSplitIsStableAndKeepsCasesTogether() {
        HeldOutSplit split = new HeldOutSplit(0.25);
        int held = 0;
        for (int i = 0; i < 4000; i++) {
            String slide = "slide-" + i;
            boolean side = split.isHeldOut(null, slide);
            assertThat(new HeldOutSplit(0.25).isHeldOut(null, slide)).isEqualTo(side);
            held += side ? 1 : 0;
        }
        assertThat(held).isBetween(900, 1100);
        // Two slides of one case: same side, whatever their ids.
        assertThat(split.isHeldOut("case-7", "a")).isEqualTo(split.isHeldOut("case-7", "zzz"));
    }

    @Test
    void championChallenger() {
        ChampionPolicy policy = new ChampionPolicy(0.02, 5);
        assertThat(policy.decide(0.80, null, 0.50, 10).publish()).isTrue();
        assertThat(policy.decide(0.51, null, 0.50, 10).publish()).as("first head must beat the baseline by the margin").isFalse();
        assertThat(policy.decide(0.80, 0.79, 0.50, 10).publish()).as("within margin of the champion").isFalse();
        assertThat(policy.decide(0.82, 0.79, 0.50, 10).publish()).isTrue();
        assertThat(policy.decide(0.95, null, 0.50, 4).reason()).contains("only 4 held-out slides");
    }

    @Test
    void labelAndModelEventsMatchTheirSchemas() {
        assertThat(EventJson.validate(EventType.LABEL_RECORDED,
                new LabelRecorded("s1", "c1", "os", null, null, 12.5, false, "registry"))).isEmpty();
        assertThat(EventJson.validate(EventType.MODEL_PUBLISHED, new ModelPublished("os", "SURVIVAL", "enc", "v1",
                "s3://nic/models/heads/os/v1/model.onnx", "a".repeat(64), "s3://nic/models/heads/os/v1/card.json",
                "c-index", 0.71, 12, "beat the baseline"))).isEmpty();
    }
}
