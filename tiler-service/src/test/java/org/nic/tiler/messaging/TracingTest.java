package org.nic.tiler.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.nic.cli.EventClient;
import org.nic.event.EventType;
import org.nic.event.SlideArrived;
import org.nic.event.Topics;
import org.nic.testing.NicTestResource;
import org.nic.tiler.TilerTestSupport;

/**
 * The spans the tiler records, caught by an in-memory exporter (the exporter Quarkus takes from CDI): a slide
 * that arrives with a scanner's {@code traceparent} is received in a consumer span that is the scanner span's
 * child, and its slide-tiled record carries the context of a producer span of the tiler in the same trace,
 * which is what the encoder's consumer span then continues (FaultTest follows one slide across the tiler,
 * encoder and predictor processes by these headers).
 */
@QuarkusTest
@TestProfile(TracingTest.Sampled.class)
@QuarkusTestResource(NicTestResource.class)
class TracingTest {

    /** Sampling on (the services' default is off: the context travels, nothing is recorded). */
    public static class Sampled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.traces.sampler", "parentbased_always_on", "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @ApplicationScoped
    static class Exporter {
        @Produces
        @Singleton
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aSlideArrivingInAScannersTraceIsTiledInThatTrace() throws Exception {
        String slideId = TilerTestSupport.newSlideId("traced");
        String uri = TilerTestSupport.upload(TilerTestSupport.slideFile("CMU-1-Small-Region.svs"), slideId);
        HexFormat hex = HexFormat.of();
        String traceId = hex.formatHex(SecureRandom.getSeed(16));
        String scannerSpan = hex.formatHex(SecureRandom.getSeed(8));
        ConsumerRecord<String, byte[]> tiled;
        try (EventClient events = TilerTestSupport.events()) {
            var from = events.endOffsets(Topics.SLIDE_TILED);
            events.publish(EventType.SLIDE_ARRIVED, slideId, new SlideArrived(slideId, uri, "test-scanner", "case-1", null),
                    Map.of("traceparent", "00-" + traceId + "-" + scannerSpan + "-01"));
            tiled = events.await(from, r -> slideId.equals(r.key()), TilerTestSupport.TIMEOUT, Topics.SLIDE_TILED);
        }
        String[] parent = Optional.ofNullable(tiled.headers().lastHeader("traceparent")).map(Header::value)
                .map(v -> new String(v, StandardCharsets.US_ASCII).split("-")).orElseThrow();
        assertThat(parent[1]).as("slide-tiled's trace").isEqualTo(traceId);
        String producerSpan = parent[2];

        List<SpanData> trace = List.of();
        for (int i = 0; i < 100; i++) {
            trace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
            if (trace.stream().anyMatch(s -> s.getSpanId().equals(producerSpan))) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(trace).as("the tiler's spans in the scanner's trace")
                .anySatisfy(s -> {
                    assertThat(s.getKind()).isEqualTo(SpanKind.CONSUMER);
                    assertThat(s.getParentSpanId()).as("the consumer span's parent").isEqualTo(scannerSpan);
                    assertThat(s.getName()).contains(Topics.SLIDE_ARRIVED);
                })
                .anySatisfy(s -> {
                    assertThat(s.getSpanId()).as("the span slide-tiled names as its parent").isEqualTo(producerSpan);
                    assertThat(s.getKind()).isEqualTo(SpanKind.PRODUCER);
                    assertThat(s.getName()).contains(Topics.SLIDE_TILED);
                });
        SpanData producer = trace.stream().filter(s -> s.getSpanId().equals(producerSpan)).findFirst().orElseThrow();
        SpanData consumer = trace.stream().filter(s -> s.getKind() == SpanKind.CONSUMER && scannerSpan.equals(s.getParentSpanId()))
                .findFirst().orElseThrow();
        assertThat(producer.getParentSpanId()).as("slide-tiled was sent inside the stage that received slide-arrived")
                .isEqualTo(consumer.getSpanId());
    }
}
