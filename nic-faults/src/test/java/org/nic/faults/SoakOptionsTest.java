package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The soak's command line (deploy/local/run-soak.sh passes its options on as one argument). */
class SoakOptionsTest {

    @Test
    void defaultsAreTheSingleBrokerSoakOfOneHundredSlides() {
        Soak.Options o = Soak.Options.parse(new String[] {"/tmp/soak", ""});
        assertThat(o.dir()).isEqualTo(Path.of("/tmp/soak"));
        assertThat(o.slides()).isEqualTo(100);
        assertThat(o.brokers()).isEqualTo(1);
        assertThat(o.replicas()).isEqualTo(1);
        assertThat(o.limit()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void theSoakAtScaleReadsItsOptionsFromOneArgumentAndGetsMoreTime() {
        Soak.Options o = Soak.Options.parse(new String[] {"/tmp/soak", "--slides 200  --brokers 3 --replicas 2"});
        assertThat(o.slides()).isEqualTo(200);
        assertThat(o.brokers()).isEqualTo(3);
        assertThat(o.replicas()).isEqualTo(2);
        assertThat(o.limit()).isEqualTo(Duration.ofMinutes(120));
    }

    @Test
    void badOptionsAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> Soak.Options.parse(new String[] {"x", "--brokers"})).hasMessageContaining("--brokers needs");
        assertThatThrownBy(() -> Soak.Options.parse(new String[] {"x", "--replicas 0"})).hasMessageContaining("--replicas needs");
        assertThatThrownBy(() -> Soak.Options.parse(new String[] {"x", "--broker 3"})).hasMessageContaining("unknown option --broker");
        assertThatThrownBy(() -> Soak.Options.parse(new String[] {"x", "--brokers 2"})).hasMessageContaining("no majority");
    }
}
