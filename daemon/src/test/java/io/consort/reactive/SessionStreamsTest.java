package io.consort.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** How the streams of a session behave: per-subscriber credits, cancellation, several subscribers. */
class SessionStreamsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private EmbeddedDaemon daemon;
    private Session sender;
    private Session receiver;

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
        ConsortClient client = ConsortClient.create().port(daemon.port());
        sender = client.name("sender").connect().block(TIMEOUT);
        receiver = client.name("receiver").connect().block(TIMEOUT);
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private void send(int from, int to) {
        sender.publish(Flux.range(from, to - from).map(i -> OutgoingMessage.to("g").text(Integer.toString(i))))
                .block(TIMEOUT);
    }

    @Test
    void twoSubscribersToTheSameGroupEachGetEveryMessageFromTheirSubscriptionOn() {
        Flux<Integer> first = receiver.messages("g").map(m -> Integer.parseInt(m.text())).take(10).cache();
        Flux<Integer> second = receiver.messages("g").map(m -> Integer.parseInt(m.text())).take(10).cache();
        first.subscribe();
        second.subscribe();
        receiver.join("g").block(TIMEOUT);
        send(0, 10);
        assertThat(first.collectList().block(TIMEOUT)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(second.collectList().block(TIMEOUT)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aSubscriberThatRequestsNothingDoesNotStallAnotherStreamOfTheSameSession() {
        // The stalled subscriber asks for 1 and then nothing: its events wait at the daemon, per stream.
        StepVerifier stalled = StepVerifier.create(receiver.messages("g"), 1)
                .expectNextCount(1)
                .thenCancel()
                .verifyLater();
        Flux<GroupMessage> fast = receiver.messages("g").take(200).cache();
        fast.subscribe();
        receiver.join("g").block(TIMEOUT);
        send(0, 200);
        assertThat(fast.count().block(TIMEOUT)).isEqualTo(200);
        stalled.verify(TIMEOUT);
    }

    @Test
    void cancellingASubscriptionNeverBreaksTheSession() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Disposable d = receiver.messages("g").subscribe(m -> seen.add(m.text()));
        receiver.join("g").block(TIMEOUT);
        send(0, 5);
        d.dispose();
        send(5, 10);
        // The session and its membership are intact: a new stream receives what is sent next.
        StepVerifier.create(receiver.messages("g").take(3).map(GroupMessage::text))
                // A request on the same connection after the subscription proves the stream is open at the daemon.
                .then(() -> receiver.join("g").block(TIMEOUT))
                .then(() -> send(10, 13))
                .expectNext("10", "11", "12")
                .expectComplete().verify(TIMEOUT);
        assertThat(receiver.isOpen()).isTrue();
        assertThat(seen).allMatch(s -> Integer.parseInt(s) < 10);
    }

    @Test
    void backpressureIsHonouredEndToEnd() {
        StepVerifier.create(receiver.messages("g").map(GroupMessage::text), 0)
                .expectSubscription()
                .then(() -> receiver.join("g").block(TIMEOUT))
                .then(() -> send(0, 50))
                .expectNoEvent(Duration.ofMillis(200))
                .thenRequest(2)
                .expectNext("0", "1")
                .expectNoEvent(Duration.ofMillis(200))
                .thenRequest(48)
                .expectNextCount(48)
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void allStreamsOfASessionEndWithTheReasonWhenTheConnectionIsLost() {
        StepVerifier messages = StepVerifier.create(receiver.messages("g"))
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.DAEMON_SHUTDOWN))
                .verifyLater();
        StepVerifier views = StepVerifier.create(receiver.views("g"))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.DAEMON_SHUTDOWN))
                .verifyLater();
        receiver.join("g").block(TIMEOUT);
        daemon.close();
        messages.verify(TIMEOUT);
        views.verify(TIMEOUT);
        StepVerifier.create(receiver.join("other"))
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.DAEMON_SHUTDOWN))
                .verify(TIMEOUT);
    }

    @Test
    void aCleanCloseCompletesTheStreams() {
        StepVerifier stream = StepVerifier.create(receiver.messages("g")).expectComplete().verifyLater();
        receiver.close().block(TIMEOUT);
        stream.verify(TIMEOUT);
        StepVerifier.create(receiver.onClose()).expectComplete().verify(TIMEOUT);
        assertThat(receiver.isOpen()).isFalse();
    }

    @Test
    void jsonTextAndBytesCodecsRoundTrip() {
        record Point(int x, int y) {
        }
        PayloadCodec<Point> json = PayloadCodec.json(Point.class);
        StepVerifier.create(receiver.messages("g").take(3))
                .then(() -> receiver.join("g").block(TIMEOUT))
                .then(() -> Flux.concat(
                        sender.multicast(OutgoingMessage.to("g").payload(new Point(3, -4), json)),
                        sender.multicast(OutgoingMessage.to("g").payload("héllo", PayloadCodec.utf8())),
                        sender.multicast(OutgoingMessage.to("g").type(65535).level(ServiceLevel.UNRELIABLE)
                                .payload(new byte[] {0, -1, 127}))).blockLast(TIMEOUT))
                .assertNext(m -> assertThat(m.decode(json)).isEqualTo(new Point(3, -4)))
                .assertNext(m -> assertThat(m.decode(PayloadCodec.utf8())).isEqualTo("héllo"))
                .assertNext(m -> {
                    assertThat(m.decode(PayloadCodec.bytes())).containsExactly(0, -1, 127);
                    assertThat(m.type()).isEqualTo(65535);
                    assertThat(m.level()).isEqualTo(ServiceLevel.UNRELIABLE);
                })
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void selfDiscardAndMultiGroupMessagesAsSeenByClients() {
        StepVerifier.create(sender.messages().take(1).map(GroupMessage::text))
                .then(() -> Flux.concat(sender.join("a"), sender.join("b"), receiver.join("a")).blockLast(TIMEOUT))
                .then(() -> Flux.concat(
                        sender.multicast(OutgoingMessage.to("a", "b").selfDiscard().text("not to me")),
                        sender.multicast(OutgoingMessage.to("a", "b").text("once to me"))).blockLast(TIMEOUT))
                .expectNext("once to me")
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void theClientConfigurationIsImmutable() {
        ConsortClient base = ConsortClient.create();
        ConsortClient changed = base.host("10.0.0.1").port(1234).name("x").connectTimeout(Duration.ofSeconds(1));
        assertThat(base.host()).isEqualTo("127.0.0.1");
        assertThat(base.port()).isEqualTo(4803);
        assertThat(base.name()).isNull();
        assertThat(changed.host()).isEqualTo("10.0.0.1");
        assertThat(changed.port()).isEqualTo(1234);
        assertThat(changed.name()).isEqualTo("x");
        assertThat(changed.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    }
}
