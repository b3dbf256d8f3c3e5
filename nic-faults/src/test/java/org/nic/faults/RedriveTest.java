package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nic.cli.EventClient;
import org.nic.cli.NicCli;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.storage.ObjectStore;
import org.nic.testing.KafkaProcess;
import org.nic.testing.NicTestInfrastructure;
import org.nic.testing.S3ProxyProcess;
import org.nic.testing.ServiceProcess;
import picocli.CommandLine;

/**
 * {@code nic redrive} after a store outage longer than the retry budget (issue 24, point 7): the slides NIC gave up on
 * come back in and are tiled once; a slide that failed for its own sake is not re-driven; a second run re-drives
 * nothing; a dead letter goes back once and, dead-lettered again, is not sent round. A broker, a store and a tiler of
 * their own, the tiler's retry budget cut to seconds (its own retries for 2 s, one retry topic after 2 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedriveTest {

    static final Duration TIMEOUT = Duration.ofMinutes(2);
    static final Path CMU1 = NicTestInfrastructure.sharedData().resolve("slides/CMU-1-Small-Region.svs");

    Path dir;
    KafkaProcess kafka;
    S3ProxyProcess s3;
    ServiceProcess tiler;
    EventClient events;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("nic-redrive");
        kafka = KafkaProcess.start(Files.createDirectories(dir.resolve("kafka")), 1);
        s3 = S3ProxyProcess.start(Files.createDirectories(dir.resolve("s3")), "nic-redrive", "nic-redrive-secret");
        try (ObjectStore store = store()) {
            store.ensureBucket();
        }
        String retry = "quarkus.fault-tolerance.\"org.nic.tiler.service.TilingService/tile\".";
        tiler = ServiceProcess.start("tiler-service", new ServiceProcess.Infrastructure(kafka.bootstrapServers(), s3.endpoint(),
                s3.accessKey(), s3.secretKey(), "nic"), Map.of(
                "nic.sources.allowed-roots", CMU1.getParent().toString(),
                retry + "retry.max-duration", "2000", retry + "retry.delay", "500",
                retry + "exponential-backoff.max-delay", "1000",
                "mp.messaging.incoming.slide-arrived.delayed-retry-topic.topics", Topics.SLIDE_ARRIVED + ".retry_2000",
                "mp.messaging.incoming.slide-arrived.delayed-retry-topic.max-retries", "1"), Pipeline.START);
        events = new EventClient(kafka.bootstrapServers(), new Properties());
    }

    @AfterAll
    void stop() {
        if (events != null) {
            events.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {tiler, s3, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing
            }
        }
    }

    @Test
    void slidesGivenUpOnInAStoreOutageAreRedrivenOnceAndTiledOnce() throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        Set<String> lost = Set.of("redrive-a-" + run, "redrive-b-" + run);
        String refused = "redrive-refused-" + run;
        String garbage = "garbage-" + run;
        Instant since = Instant.now().minusSeconds(1);
        s3.kill();
        for (String slide : lost) {
            events.publish(EventType.SLIDE_ARRIVED, slide, new SlideArrived(slide, "file:" + CMU1.toAbsolutePath(), "test", null,
                    null));
        }
        events.publish(EventType.SLIDE_ARRIVED, refused, new SlideArrived(refused, "file:/etc/hostname", "test", null, null));
        events.publishRaw(EventType.SLIDE_ARRIVED, garbage, "{nope".getBytes());
        // Past the retry budget: a final slide-failed for each, and the malformed record among the dead letters.
        for (String slide : lost) {
            ConsumerRecord<String, byte[]> last = events.await(null, r -> slide.equals(r.key()) && EventClient.isFinal(r),
                    TIMEOUT, Topics.SLIDE_FAILED);
            assertThat(new String(last.value())).contains("STORAGE_UNAVAILABLE", "\"retrying\":false");
        }
        events.awaitKey(garbage, TIMEOUT, Topics.deadLetters(Topics.SLIDE_ARRIVED));
        assertThat(new String(events.await(null, r -> refused.equals(r.key()) && EventClient.isFinal(r), TIMEOUT,
                Topics.SLIDE_FAILED).value())).contains("URI_NOT_ALLOWED");
        s3.start();

        Result first = redrive("--stage", "tiling", "--since", since.toString());
        assertThat(first.exit).as(first.out).isZero();
        assertThat(first.out).contains("re-drove 2,").contains("skipped " + refused + ": failed URI_NOT_ALLOWED");
        for (String slide : lost) {
            assertThat(first.out).contains("re-drove " + slide + " onto " + Topics.SLIDE_ARRIVED);
            events.awaitKey(slide, TIMEOUT, Topics.SLIDE_TILED);
        }
        Result second = redrive("--stage", "tiling", "--since", since.toString());
        assertThat(second.out).as(second.out).contains("re-drove 0,");
        for (String slide : lost) {
            assertThat(second.out).contains("skipped " + slide + ": answered on " + Topics.SLIDE_TILED);
        }

        Result dead = redrive("--dead-letters", Topics.SLIDE_ARRIVED, "--since", since.toString(), "--reason", "malformed");
        assertThat(dead.out).as(dead.out).contains("re-drove " + garbage, "re-drove 1,");
        // Still malformed, it is dead-lettered again, marked: a later re-drive leaves it.
        ConsumerRecord<String, byte[]> again = events.await(null, r -> garbage.equals(r.key())
                && EventClient.header(r, "nic-redrive-of") != null, TIMEOUT, Topics.deadLetters(Topics.SLIDE_ARRIVED));
        assertThat(EventClient.header(again, "nic-redriven-by")).isNotBlank();
        Result deadAgain = redrive("--dead-letters", Topics.SLIDE_ARRIVED, "--since", since.toString());
        assertThat(deadAgain.out).as(deadAgain.out).contains("re-drove 0,", "re-driven already", "dead-lettered again");

        // Once each: one plan and slide-tiled per lost slide, one copy each on slide-arrived, the refused slide untouched.
        EventTap.pause(3000);
        List<ConsumerRecord<String, byte[]>> all = events.read(since, Topics.SLIDE_TILED, Topics.SLIDE_ARRIVED);
        for (String slide : lost) {
            assertThat(all.stream().filter(r -> r.topic().equals(Topics.SLIDE_TILED) && slide.equals(r.key()))).hasSize(1);
            assertThat(all.stream().filter(r -> r.topic().equals(Topics.SLIDE_ARRIVED) && slide.equals(r.key())
                    && EventClient.header(r, "nic-redrive-of") != null)).hasSize(1);
        }
        assertThat(all.stream().filter(r -> refused.equals(r.key()))).hasSize(1);
        try (ObjectStore store = store()) {
            for (String slide : lost) {
                assertThat(store.exists(store.uri(org.nic.storage.StorageLayout.plan(slide)))).isTrue();
            }
        }
        assertThat(tiler.alive()).isTrue();
    }

    record Result(int exit, String out) { }

    Result redrive(String... args) {
        System.setProperty("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new NicCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        String[] full = new String[args.length + 1];
        full[0] = "redrive";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = cli.execute(full);
        return new Result(exit, out.toString());
    }

    ObjectStore store() {
        return new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.accessKey(), s3.secretKey(), "us-east-1", "nic"));
    }
}
