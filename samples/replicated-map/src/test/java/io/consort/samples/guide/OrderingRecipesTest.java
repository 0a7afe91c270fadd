package io.consort.samples.guide;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.PayloadCodec;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class OrderingRecipesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private EmbeddedDaemon daemon;
    private Session alice;
    private Session bob;

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
        alice = ConsortClient.create().port(daemon.port()).name("alice").connect().block(TIMEOUT);
        bob = ConsortClient.create().port(daemon.port()).name("bob").connect().block(TIMEOUT);
    }

    @AfterEach
    void stop() {
        alice.close().block(TIMEOUT);
        bob.close().block(TIMEOUT);
        daemon.close();
    }

    @Test
    void filterByLevelKeepsOnlyTotallyOrderedMessages() {
        StepVerifier.create(OrderingRecipes.agreedTexts(bob, "g").take(2))
                .then(() -> bob.join("g").then(alice.multicast("g", ServiceLevel.FIFO, "fifo"))
                        .then(alice.multicast("g", ServiceLevel.AGREED, "agreed"))
                        .then(alice.multicast("g", ServiceLevel.RELIABLE, "reliable"))
                        .then(alice.multicast("g", ServiceLevel.SAFE, "safe")).block(TIMEOUT))
                .expectNext("agreed", "safe")
                .verifyComplete();
    }

    @Test
    void bufferUntilAViewCutsTheHistoryIntoEpochs() {
        StepVerifier.create(OrderingRecipes.epochs(bob, "g").take(2))
                .then(() -> bob.join("g").then(bob.multicast("g", ServiceLevel.AGREED, "alone"))
                        .then(alice.join("g")).then(alice.multicast("g", ServiceLevel.AGREED, "together"))
                        .then(alice.leave("g")).block(TIMEOUT))
                .assertNext(epoch -> {
                    assertThat(epoch.view().members()).containsExactly("#bob#localhost");
                    assertThat(epoch.messages()).extracting(GroupMessage::text).containsExactly("alone");
                })
                .assertNext(epoch -> {
                    assertThat(epoch.view().cause()).isEqualTo(ViewCause.JOIN);
                    assertThat(epoch.messages()).extracting(GroupMessage::text).containsExactly("together");
                })
                .verifyComplete();
    }

    @Test
    void concatMapAppliesInOrderWhateverEachStepTakes() {
        int count = 20;
        Sinks.Many<String> applied = Sinks.many().replay().all();
        Disposable applying = OrderingRecipes.applyInOrder(bob, "g", m -> Mono.delay(
                        // Earlier messages take longer: only concatMap's one-at-a-time keeps the order.
                        Duration.ofMillis(count - Integer.parseInt(m.text())))
                .doOnNext(t -> applied.tryEmitNext(m.text())).then()).subscribe();
        bob.join("g").then(alice.publish(Flux.range(0, count)
                .map(i -> OutgoingMessage.to("g").level(ServiceLevel.AGREED).text(Integer.toString(i)))))
                .block(TIMEOUT);
        assertThat(applied.asFlux().take(count).collectList().block(TIMEOUT))
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(Integer::toString).toList());
        applying.dispose();
    }

    @Test
    void publishSendsEveryReadingInOrderWithBackpressure() {
        int count = 2_000;
        PayloadCodec<OrderingRecipes.Reading> codec = PayloadCodec.json(OrderingRecipes.Reading.class);
        StepVerifier.create(bob.messages("sensors").take(count).map(m -> m.decode(codec).micros()).collectList())
                .then(() -> bob.join("sensors").then(OrderingRecipes.publishReadings(alice,
                        Flux.range(0, count).map(i -> new OrderingRecipes.Reading("t1", i, i * 0.5)))).block(TIMEOUT))
                .assertNext(micros -> assertThat(micros).isSorted().hasSize(count))
                .verifyComplete();
    }

    @Test
    void connectWithRetryWaitsForADaemonThatStartsLater() {
        int port;
        try (EmbeddedDaemon probe = EmbeddedDaemon.startEphemeral()) {
            port = probe.port();
        }
        ConsortClient client = ConsortClient.create().port(port).name("patient");
        StepVerifier.create(OrderingRecipes.connectWithRetry(client))
                // The first attempt is refused (nothing listens); the daemon starts while retries back off.
                .then(() -> lateDaemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(port)))
                .assertNext(s -> {
                    assertThat(s.isOpen()).isTrue();
                    patient = s;
                })
                .verifyComplete();
        patient.close().block(TIMEOUT);
        lateDaemon.close();
    }

    private EmbeddedDaemon lateDaemon;
    private Session patient;

    @Test
    void connectWithRetryGivesUpAtOnceOnATakenName() {
        ConsortClient client = ConsortClient.create().port(daemon.port()).name("alice");
        StepVerifier.create(OrderingRecipes.connectWithRetry(client))
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.DUPLICATE_PRIVATE_NAME))
                .verify(TIMEOUT);
    }
}
