package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Credentials;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.daemon.security.PasswordHash;
import io.consort.daemon.security.Permission;
import io.consort.daemon.security.SessionSecurity;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Password authentication in the handshake and per-group access control, over real sockets. */
class SessionAuthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Few iterations: the test checks the scheme, not its cost. */
    private static final Map<String, String> HASHES = Map.of(
            "alice", PasswordHash.hash("alice-pw".toCharArray(), 1_000),
            "bob", PasswordHash.hash("bob-pw".toCharArray(), 1_000));

    private EmbeddedDaemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private EmbeddedDaemon start(SessionSecurity security) {
        daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSecurity(security));
        return daemon;
    }

    private static SessionSecurity passwords() {
        return SessionSecurity.none().withAuthenticator(Authenticator.passwords(HASHES))
                .withPolicy(AccessRules.authenticatedOnly())
                .withFailureDelay(Duration.ZERO, Duration.ZERO);
    }

    private ConsortClient client(String name) {
        return ConsortClient.create().port(daemon.port()).name(name);
    }

    private static ConsortException refusal(ConsortClient c) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> c.connect().block(TIMEOUT));
        assertThat(t).isInstanceOf(ConsortException.class);
        return (ConsortException) t;
    }

    @Test
    void withoutCredentialsOrWithAWrongPasswordTheDaemonSaysAuthFailedAndNothingMore() throws Exception {
        start(passwords());
        ConsortException none = refusal(client("anon"));
        ConsortException wrong = refusal(client("a1").credentials(Credentials.password("alice", "bob-pw")));
        ConsortException unknown = refusal(client("a2").credentials(Credentials.password("mallory", "x")));
        for (ConsortException e : new ConsortException[] {none, wrong, unknown}) {
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
            assertThat(e.getMessage()).isEqualTo(SessionGate.AUTH_FAILED_REASON);
        }
        assertThat(daemon.sessionCount()).isZero();

        Session alice = client("alice").credentials(Credentials.password("alice", "alice-pw")).connect().block(TIMEOUT);
        assertThat(alice.privateName()).isEqualTo("#alice#localhost");
        Flux<String> got = alice.messages("chat").map(GroupMessage::text).take(1).cache();
        got.subscribe();
        alice.join("chat").then(alice.multicast("chat", ServiceLevel.AGREED, "hi")).block(TIMEOUT);
        StepVerifier.create(got).expectNext("hi").verifyComplete();
    }

    @Test
    void framesPipelinedBehindAPasswordHelloAreProcessedOnceItIsAccepted() throws Exception {
        start(passwords());
        try (RawClient raw = new RawClient(daemon.port())) {
            byte[] hello = RawClient.encode(w -> ClientFrames.hello(w, "alice", "alice",
                    "alice-pw".getBytes(StandardCharsets.UTF_8)));
            byte[] join = RawClient.encode(w -> ClientFrames.join(w, 7, "chat"));
            byte[] both = new byte[hello.length + join.length];
            System.arraycopy(hello, 0, both, 0, hello.length);
            System.arraycopy(join, 0, both, hello.length, join.length);
            raw.raw(both);
            assertThat(raw.next().type()).isEqualTo(FrameType.WELCOME);
            raw.expectDone(7);
        }
    }

    @Test
    void repeatedFailuresFromOneAddressAreAnsweredEverMoreSlowly() throws Exception {
        start(passwords().withFailureDelay(Duration.ofMillis(40), Duration.ofSeconds(5)));
        long[] millis = new long[5];
        for (int i = 0; i < millis.length; i++) {
            long t0 = System.nanoTime();
            assertThat(refusal(client("g" + i).credentials(Credentials.password("alice", "guess" + i))).code())
                    .isEqualTo(ErrorCode.AUTH_FAILED);
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        // 40, 80, 160, 320, 640 ms: the fifth guess waits at least 16 times the first delay.
        assertThat(millis[0]).isGreaterThanOrEqualTo(40);
        assertThat(millis[4]).isGreaterThanOrEqualTo(640);
        // The right password is not delayed by the address's failures.
        long t0 = System.nanoTime();
        client("alice").credentials(Credentials.password("alice", "alice-pw")).connect().block(TIMEOUT);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(640);
    }

    @Test
    void failureThrottleRemembersABoundedNumberOfAddresses() throws Exception {
        FailureThrottle t = new FailureThrottle(1_000, 1_000_000, 100);
        for (int i = 0; i < 10_000; i++) {
            t.failed(java.net.InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), i);
        }
        assertThat(t.size()).isEqualTo(100);
        java.net.InetAddress a = java.net.InetAddress.getByName("127.0.0.2");
        assertThat(t.failed(a, 0)).isEqualTo(1_000);
        assertThat(t.failed(a, 1)).isEqualTo(2_000);
        assertThat(t.failed(a, 2)).isEqualTo(4_000);
        // Quiet for long enough: forgotten, back to the first delay.
        assertThat(t.failed(a, 2 + FailureThrottle.FORGET_FACTOR * 1_000_000L + 1)).isEqualTo(1_000);
    }

    private static SessionSecurity rules(AccessRules rules) {
        return passwords().withPolicy(rules);
    }

    private static final Set<Permission> READ = EnumSet.of(Permission.CONNECT, Permission.JOIN);
    private static final Set<Permission> ALL = EnumSet.allOf(Permission.class);

    @Test
    void aDeniedJoinOrSendFailsThatRequestAloneAndTheSessionCarriesOn() throws Exception {
        start(rules(AccessRules.builder()
                .allow("alice", ALL, "orders.*", "#*#*")
                .allow("bob", READ, "orders.*")
                .build()));
        Session alice = client("alice").credentials(Credentials.password("alice", "alice-pw")).connect().block(TIMEOUT);
        Session bob = client("bob").credentials(Credentials.password("bob", "bob-pw")).connect().block(TIMEOUT);

        assertThatThrownBy(() -> alice.join("payroll").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
                    assertThat(e.getMessage()).isEqualTo(SessionGate.ACCESS_DENIED_REASON);
                });
        Flux<String> bobGot = bob.messages("orders.eu").map(GroupMessage::text).take(2).cache();
        bobGot.subscribe();
        bob.join("orders.eu").block(TIMEOUT);
        alice.join("orders.eu").block(TIMEOUT);

        assertThatThrownBy(() -> bob.multicast("orders.eu", ServiceLevel.AGREED, "from bob").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        assertThatThrownBy(() -> bob.multicast(alice.privateName(), ServiceLevel.FIFO, "psst").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        // A message naming an allowed and a denied group is refused whole.
        assertThatThrownBy(() -> alice.multicast(io.consort.reactive.OutgoingMessage.to("orders.eu", "payroll").text("both")).block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));

        alice.multicast("orders.eu", ServiceLevel.AGREED, "one").then(alice.multicast("orders.eu", ServiceLevel.AGREED, "two"))
                .block(TIMEOUT);
        StepVerifier.create(bobGot).expectNext("one", "two").verifyComplete();
        assertThat(bob.isOpen()).isTrue();
        assertThat(alice.isOpen()).isTrue();
        assertThat(daemon.sessionCount()).isEqualTo(2);
    }

    @Test
    void rulesReloadedAtRunTimeApplyToTheNextRequestOfAnExistingSession() throws Exception {
        AccessRules readOnly = AccessRules.builder().allow("bob", READ, "chat").build();
        start(rules(readOnly));
        Session bob = client("bob").credentials(Credentials.password("bob", "bob-pw")).connect().block(TIMEOUT);
        bob.join("chat").block(TIMEOUT);
        assertThatThrownBy(() -> bob.multicast("chat", ServiceLevel.AGREED, "no").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));

        daemon.updateSecurity(daemon.security().withPolicy(AccessRules.builder().allow("bob", ALL, "chat").build()));
        Flux<String> got = bob.messages("chat").map(GroupMessage::text).take(1).cache();
        got.subscribe();
        bob.multicast("chat", ServiceLevel.AGREED, "yes").block(TIMEOUT);
        StepVerifier.create(got).expectNext("yes").verifyComplete();
    }

    @Test
    void anonymousSessionsGetWhatTheAnonymousRuleGrantsAndAreOtherwiseToldToAuthenticate() throws Exception {
        start(rules(AccessRules.builder()
                .allow(AccessRules.ANONYMOUS, READ, "public.*")
                .allow("*", ALL, "*")
                .build()));
        Session anon = client("visitor").connect().block(TIMEOUT);
        anon.join("public.news").block(TIMEOUT);
        assertThatThrownBy(() -> anon.join("private").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        assertThatThrownBy(() -> anon.multicast("public.news", ServiceLevel.AGREED, "x").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));

        // The daemon without rules for anonymous: AUTH_FAILED, as for a wrong password.
        daemon.updateSecurity(daemon.security().withPolicy(AccessRules.authenticatedOnly()));
        assertThat(refusal(client("visitor2")).code()).isEqualTo(ErrorCode.AUTH_FAILED);
        // An authenticated identity without CONNECT: ACCESS_DENIED.
        daemon.updateSecurity(daemon.security().withPolicy(AccessRules.builder().allow("alice", ALL, "*").build()));
        assertThat(refusal(client("bob").credentials(Credentials.password("bob", "bob-pw"))).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(anon.isOpen()).isTrue();
    }

    @Test
    void anIdentityConnectsOnlyUnderTheUserNamesItsRuleAllowsSoItCannotSendAsAnother() throws Exception {
        start(rules(AccessRules.builder()
                .allow(new AccessRules.Rule("alice", ALL, java.util.List.of(io.consort.daemon.security.Glob.of("*")),
                        java.util.List.of(io.consort.daemon.security.Glob.of("alice"),
                                io.consort.daemon.security.Glob.of("alice-*"))))
                .build()));
        assertThat(refusal(client("bob").credentials(Credentials.password("alice", "alice-pw"))).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(client("alice-2").credentials(Credentials.password("alice", "alice-pw")).connect().block(TIMEOUT)
                .privateName()).isEqualTo("#alice-2#localhost");
    }
}
