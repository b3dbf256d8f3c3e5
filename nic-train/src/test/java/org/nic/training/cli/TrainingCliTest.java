package org.nic.training.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command's wiring: every step is reachable, a bad call is a usage error, and cards name this jar. */
class TrainingCliTest {

    @Test
    void everyStepIsACommand() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new TrainingCli()).setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("mine-tissue", "import-paper", "train-encoder", "probe", "transfer",
                "quantise-encoder");
    }

    @Test
    void aMissingRequiredOptionIsAUsageErrorNamingIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TrainingCli()).setErr(new PrintWriter(err));
        assertThat(cli.execute("quantise-encoder")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing required option");
    }

    @Test
    void cardsRecordACommandThatRunsFromTheRepository() {
        assertThat(TrainingCli.commandLine("probe", new String[] {"probe", "--help"}))
                .isEqualTo("java -jar nic-train/target/nic-train.jar probe --help");
    }
}
