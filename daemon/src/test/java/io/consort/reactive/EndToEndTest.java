package io.consort.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class EndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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

    private Session connect(String name) {
        return client.name(name).connect().block(TIMEOUT);
    }

    @Test
    void sessionsJoinMulticastAndReceiveInOneOrder() {
        Session alice = connect("alice");
        Session bob = connect("bob");
        assertThat(alice.privateName()).isEqualTo("#alice#localhost");

        StepVerifier.create(bob.events("chat").take(4))
                .then(() -> bob.join("chat").block(TIMEOUT))
                .assertNext(e -> assertThat(((GroupView) e).members()).containsExactly("#bob#localhost"))
                .then(() -> alice.join("chat").then(alice.multicast("chat", ServiceLevel.AGREED, "hi"))
                        .then(alice.multicast("chat", ServiceLevel.FIFO, "there")).block(TIMEOUT))
                .assertNext(e -> {
                    GroupView v = (GroupView) e;
                    assertThat(v.cause()).isEqualTo(ViewCause.JOIN);
                    assertThat(v.members()).containsExactly("#bob#localhost", "#alice#localhost");
                })
                .assertNext(e -> {
                    GroupMessage m = (GroupMessage) e;
                    assertThat(m.text()).isEqualTo("hi");
                    assertThat(m.level()).isEqualTo(ServiceLevel.AGREED);
                    assertThat(m.sender()).isEqualTo("#alice#localhost");
                })
                .assertNext(e -> assertThat(((GroupMessage) e).level()).isEqualTo(ServiceLevel.FIFO))
                .expectComplete()
                .verify(TIMEOUT);
        alice.close().block(TIMEOUT);
        bob.close().block(TIMEOUT);
    }

    @Test
    void cleanCloseIsLeaveAndLostConnectionIsDisconnect() throws Exception {
        Session watcher = connect("watcher");
        Session polite = connect("polite");
        Session rude = connect("rude");
        StepVerifier.create(watcher.views("g").skip(3).take(2))
                .then(() -> Flux.concat(watcher.join("g"), polite.join("g"), rude.join("g")).blockLast(TIMEOUT))
                .then(() -> polite.close().block(TIMEOUT))
                .assertNext(v -> {
                    assertThat(v.cause()).isEqualTo(ViewCause.LEAVE);
                    assertThat(v.changed()).containsExactly("#polite#localhost");
                })
                .then(() -> daemonSideDrop(rude))
                .assertNext(v -> {
                    assertThat(v.cause()).isEqualTo(ViewCause.DISCONNECT);
                    assertThat(v.changed()).containsExactly("#rude#localhost");
                })
                .expectComplete().verify(TIMEOUT);
    }

    /** Drops the TCP connection without a goodbye, as a crashed client would. */
    private static void daemonSideDrop(Session s) {
        io.consort.reactive.client.Sessions.abort(s);
    }

    @Test
    void duplicatePrivateNameIsRefusedWithATypedError() {
        Session first = connect("same");
        StepVerifier.create(client.name("same").connect())
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.DUPLICATE_PRIVATE_NAME))
                .verify(TIMEOUT);
        assertThat(first.isOpen()).isTrue();
        StepVerifier.create(first.join("still-works")).expectComplete().verify(TIMEOUT);
    }

    @Test
    void publishSendsAFluxWithBackpressureAndEveryMessageArrivesInOrder() {
        Session sender = connect("sender");
        Session receiver = connect("receiver");
        int count = 5_000;
        StepVerifier.create(receiver.messages("bulk").take(count).map(m -> Integer.parseInt(m.text())).collectList())
                .then(() -> receiver.join("bulk").block(TIMEOUT))
                .then(() -> sender.publish(Flux.range(0, count)
                        .map(i -> OutgoingMessage.to("bulk").level(ServiceLevel.FIFO).text(Integer.toString(i))))
                        .block(TIMEOUT))
                .assertNext(list -> assertThat(list).isEqualTo(java.util.stream.IntStream.range(0, count).boxed().toList()))
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void refusedRequestsFailWithTheirReasonAndTheSessionGoesOn() {
        Session s = connect("carol");
        StepVerifier.create(s.join("bad#name"))
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.INVALID_GROUP_NAME))
                .verify(TIMEOUT);
        StepVerifier.create(s.multicast(OutgoingMessage.to("g").payload(new byte[(1 << 20) + 1])))
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.MESSAGE_TOO_LARGE))
                .verify(TIMEOUT);
        // Far over the limit: the client refuses it itself instead of sending a frame that would cost the session.
        StepVerifier.create(s.multicast(OutgoingMessage.to("g").payload(new byte[3 << 20])))
                .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                        .isEqualTo(ErrorCode.MESSAGE_TOO_LARGE))
                .verify(TIMEOUT);
        assertThat(s.isOpen()).isTrue();
        StepVerifier.create(s.messages("#carol#localhost").take(1).map(GroupMessage::text))
                .then(() -> s.multicast(OutgoingMessage.to(List.of("#carol#localhost")).text("to me")).block(TIMEOUT))
                .expectNext("to me")
                .expectComplete().verify(TIMEOUT);
    }
}
