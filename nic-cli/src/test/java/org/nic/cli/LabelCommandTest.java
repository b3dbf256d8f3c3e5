package org.nic.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code nic label} refuses, before sending anything, a label that the trainer would dead-letter. */
class LabelCommandTest {

    @Test
    void aSurvivalTimeWithoutItsEventIsRefusedWithTheOptionToGive() {
        Result r = run("label", "--slide", "s1", "--task", "overall-survival", "--time", "12.5");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("--event=true", "--event=false");
    }

    @Test
    void oneKindOfValueAndAnEventOnlyWithATime() {
        assertThat(run("label", "--slide", "s1", "--task", "t").err).contains("exactly one of --value");
        assertThat(run("label", "--slide", "s1", "--task", "t", "--value", "1", "--class", "a").err).contains("exactly one of");
        assertThat(run("label", "--slide", "s1", "--task", "t", "--class", "a", "--event", "true").err).contains("give --time too");
        assertThat(run("label", "--slide", "s1", "--task", "t", "--time", "3", "--event").exit).as("--event needs its value")
                .isEqualTo(2);
    }

    @Test
    void wellFormedLabelsPassTheCheck() {
        assertThat(NicCli.problem(null, null, 3.0, false)).isNull();
        assertThat(NicCli.problem(1.5, null, null, null)).isNull();
        assertThat(NicCli.problem(null, "replacement", null, null)).isNull();
    }

    record Result(int exit, String err) { }

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new NicCli());
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, err.toString());
    }
}
