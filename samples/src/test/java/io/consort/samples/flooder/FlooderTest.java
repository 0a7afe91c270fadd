package io.consort.samples.flooder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlooderTest {
    private EmbeddedDaemon daemon;
    private ConsortClient client;

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
        client = ConsortClient.create().port(daemon.port());
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private static FlooderConfig small() {
        return FlooderConfig.defaults().withMessages(3_000).withWarmup(500).withSizeBytes(200)
                .withTimeout(Duration.ofSeconds(30));
    }

    @Test
    void everyReceiverGetsEveryMessageInOrderFlatOut() throws Exception {
        FlooderResult r = new Flooder(client, small().withReceivers(2)).run();
        assertThat(r.receivedCounts()).containsExactly(3_500L, 3_500L);
        assertThat(r.missing()).isZero();
        assertThat(r.latencyNanos().getTotalCount()).as("measured messages, both receivers").isEqualTo(6_000);
        assertThat(r.messagesPerSecond()).isPositive();
        assertThat(r.summaryLine()).startsWith("FLOODER level=AGREED size=200 receivers=2 messages=3000 warmup=500 ")
                .contains(" missing=0");
    }

    @Test
    void aRateRunIsPacedAndComplete() throws Exception {
        // 3500 messages at 10k/s cannot take less than about 0.3 s of measured time.
        FlooderResult r = new Flooder(client, small().withRatePerSecond(10_000).withLevel(ServiceLevel.FIFO)).run();
        assertThat(r.receivedCounts()).containsExactly(3_500L);
        assertThat(r.elapsedNanos()).isGreaterThan(Duration.ofMillis(290).toNanos());
        assertThat(r.messagesPerSecond()).isLessThan(10_500);
    }

    @Test
    void everyLevelCompletes() throws Exception {
        for (ServiceLevel level : ServiceLevel.values()) {
            FlooderResult r = new Flooder(client, small().withMessages(500).withWarmup(0).withLevel(level)).run();
            assertThat(r.receivedCounts()).as(level.name()).containsExactly(500L);
        }
    }

    @Test
    void aReceiverFailsLoudlyOnAGapOrADuplicate() {
        Receiver fifo = new Receiver("#r#d", ServiceLevel.FIFO, 10, 0, 16);
        fifo.onMessage(message(0));
        assertThatThrownBy(() -> fifo.onMessage(message(2))).hasMessageContaining("expected message 1 but got 2");
        Receiver reliable = new Receiver("#r#d", ServiceLevel.RELIABLE, 10, 0, 16);
        reliable.onMessage(message(3));
        reliable.onMessage(message(1));
        assertThatThrownBy(() -> reliable.onMessage(message(3))).hasMessageContaining("delivered twice");
    }

    @Test
    void configIsValidatedAndCopied() {
        FlooderConfig d = FlooderConfig.defaults();
        assertThat(d.withReceivers(3)).isNotSameAs(d).extracting(FlooderConfig::receivers).isEqualTo(3);
        assertThat(d.receivers()).isEqualTo(1);
        assertThatThrownBy(() -> d.withSizeBytes(15)).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> d.withMessages(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static GroupMessage message(long seq) {
        return new GroupMessage(seq, "#s#d", List.of("g"), ServiceLevel.FIFO, 0, Payloads.encode(seq, System.nanoTime(), 16));
    }
}
