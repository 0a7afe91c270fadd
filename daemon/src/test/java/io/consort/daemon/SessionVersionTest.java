package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Session protocol version negotiation: a version-3 HELLO offers a range and WELCOME answers with
 * the version the daemon chose; clients of versions 1 and 2 are served as before and answered at
 * their own version; a client newer than the daemon gets UNSUPPORTED_VERSION only when the two
 * share no version. (The reference client against a daemon that predates negotiation, which
 * refuses the offer, is transport-udp's RollingUpgradeTest, against the previous release itself.)
 */
class SessionVersionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
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
    void theReferenceClientNegotiatesTheNewestVersion() {
        Session s = ConsortClient.create().port(daemon.port()).name("fresh").connect().block(TIMEOUT);
        assertThat(s.protocolVersion()).isEqualTo(FrameType.VERSION).isEqualTo(3);
        StepVerifier.create(s.messages("#fresh#localhost").take(1).map(GroupMessage::text))
                .then(() -> s.multicast("#fresh#localhost", ServiceLevel.AGREED, "at 3").block(TIMEOUT))
                .expectNext("at 3")
                .verifyComplete();
        s.close().block(TIMEOUT);
    }

    @Test
    void versionOneAndTwoClientsAreAnsweredAtTheirVersionAndServed() throws IOException {
        try (RawClient v1 = new RawClient(daemon.port())) {
            v1.frame(w -> ClientFrames.hello(w, "one"));
            assertThat(welcome(v1)).isEqualTo(1);
            v1.subscribeAll(1).credit(1, 10).join(1, "g").expectDone(1);
        }
        try (RawClient v2 = new RawClient(daemon.port())) {
            v2.frame(w -> w.begin(FrameType.HELLO).u16(2).str("two").u8(FrameType.AUTH_NONE).end());
            assertThat(welcome(v2)).isEqualTo(2);
            v2.subscribeAll(1).credit(1, 10).join(1, "g").expectDone(1);
        }
    }

    @Test
    void aNewerClientGetsTheNewestSharedVersion() throws IOException {
        try (RawClient v5 = new RawClient(daemon.port())) {
            // A version-5 HELLO: the version-3 layout, then a field this daemon does not know.
            v5.frame(w -> w.begin(FrameType.HELLO).u16(5).str("five").u8(FrameType.AUTH_NONE).u16(2)
                    .str("a version-5 field").end());
            assertThat(welcome(v5)).isEqualTo(3);
            v5.subscribeAll(1).credit(1, 10).join(1, "g").expectDone(1);
        }
    }

    @Test
    void aClientThatSharesNoVersionGetsATypedError() throws IOException {
        try (RawClient v4 = new RawClient(daemon.port())) {
            v4.frame(w -> w.begin(FrameType.HELLO).u16(5).str("four").u8(FrameType.AUTH_NONE).u16(4).end());
            RawClient.Refusal e = v4.expectError(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(e.reason()).contains("versions 4 to 5").contains("this daemon speaks 1 to 3");
        }
        try (RawClient bad = new RawClient(daemon.port())) {
            bad.frame(w -> w.begin(FrameType.HELLO).u16(3).str("odd").u8(FrameType.AUTH_NONE).u16(4).end());
            bad.expectError(ErrorCode.MALFORMED_FRAME); // offers 4 to 3
        }
    }

    /** The version of the WELCOME that answers a HELLO. */
    private static int welcome(RawClient r) throws IOException {
        RawClient.Frame f = r.next();
        assertThat(f.type()).as("answer to HELLO: %s", new String(f.body(), StandardCharsets.UTF_8))
                .isEqualTo(FrameType.WELCOME);
        FrameReader fr = f.reader();
        return fr.u16("version");
    }
}
