package io.consort.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Sessions of the JVM that hosts the daemon, connected without TCP ({@link ConsortClient#inJvm}): they
 * are sessions like any other, in the same groups and views as TCP sessions, with the same ordering.
 */
class InJvmSessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private EmbeddedDaemon daemon;

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void inJvmAndTcpSessionsShareAGroupAndOneOrder() throws Exception {
        ConsortClient local = ConsortClient.create().inJvm(daemon.inJvmAddress());
        Session alice = local.name("alice").connect().block(TIMEOUT);
        Session bob = local.name("bob").connect().block(TIMEOUT);
        Session carol = ConsortClient.create().port(daemon.port()).name("carol").connect().block(TIMEOUT);
        assertThat(alice.privateName()).isEqualTo("#alice#localhost");

        var bobGot = bob.messages("g").map(GroupMessage::text).take(200).collectList().toFuture();
        var carolGot = carol.messages("g").map(GroupMessage::text).take(200).collectList().toFuture();
        var fullView = carol.views("g").filter(v -> v.members().size() == 3).next().toFuture();
        bob.join("g").block(TIMEOUT);
        carol.join("g").block(TIMEOUT);
        alice.join("g").block(TIMEOUT);
        assertThat(fullView.get(10, java.util.concurrent.TimeUnit.SECONDS).members())
                .containsExactlyInAnyOrder("#alice#localhost", "#bob#localhost", "#carol#localhost");

        // Two senders, one in-JVM and one over TCP, interleaved: every member sees the same order.
        // Alice hands her arrays over (no defensive copy); what arrives is the same bytes.
        Flux<OutgoingMessage> fromAlice = Flux.range(0, 100).map(i -> OutgoingMessage.to("g").level(ServiceLevel.AGREED)
                .payloadWithoutCopy(("a" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Flux<OutgoingMessage> fromCarol = Flux.range(0, 100).map(i -> OutgoingMessage.to("g").level(ServiceLevel.AGREED).text("c" + i));
        Flux.merge(alice.publish(fromAlice), carol.publish(fromCarol)).blockLast(TIMEOUT);

        List<String> atBob = bobGot.get(10, java.util.concurrent.TimeUnit.SECONDS);
        List<String> atCarol = carolGot.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(atBob).hasSize(200).isEqualTo(atCarol);
        assertThat(atBob.stream().filter(t -> t.startsWith("a")).toList())
                .isEqualTo(Flux.range(0, 100).map(i -> "a" + i).collectList().block());
        alice.close().block(TIMEOUT);
        bob.close().block(TIMEOUT);
        carol.close().block(TIMEOUT);
    }

    @Test
    void anUnknownInJvmAddressIsATypedError() {
        assertThatThrownBy(() -> ConsortClient.create().inJvm("consort-nobody").connect().block(TIMEOUT))
                .isInstanceOf(ConsortException.class)
                .satisfies(e -> assertThat(((ConsortException) e).code()).isEqualTo(ErrorCode.CONNECTION_LOST));
    }

    @Test
    void aSessionOfAClosedDaemonEndsWithTheReason() {
        Session s = ConsortClient.create().inJvm(daemon.inJvmAddress()).connect().block(TIMEOUT);
        daemon.close();
        assertThat(s.onClose().onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(TIMEOUT)).isNull();
        assertThat(s.isOpen()).isFalse();
    }
}
