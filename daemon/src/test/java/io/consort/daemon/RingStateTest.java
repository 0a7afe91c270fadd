package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameType;
import io.consort.protocol.RingFrame;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.RingState;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The RING frame: a session at protocol 3 learns its daemon's ring state right after WELCOME and at every
 * change (gathering, then the new regular configuration), and sessions at versions 1 and 2 never see one.
 */
class RingStateTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private EmbeddedDaemon daemon(InMemoryDaemonNetwork net, int id) {
        EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                .withIncarnation(System.currentTimeMillis());
        EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine), net.endpoint(id));
        d.monitor().daemonNames(Map.of(1, "d1", 2, "d2"));
        closing.add(d);
        return d;
    }

    @Test
    void aSessionFollowsItsDaemonsRingThroughAChange() {
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        EmbeddedDaemon d1 = daemon(net, 1);
        daemon(net, 2);
        await().atMost(TIMEOUT).until(() -> d1.configurationMembers().equals(List.of(1, 2)) && d1.monitor().regular());
        Session s = ConsortClient.create().port(d1.port()).name("watcher").connect().block(TIMEOUT);
        closing.add(() -> s.close().block(TIMEOUT));

        RingState first = s.ring().blockFirst(TIMEOUT);
        assertThat(first.phase()).isEqualTo(RingState.Phase.REGULAR);
        assertThat(first.daemon()).isEqualTo("d1");
        assertThat(first.daemonId()).isEqualTo(1);
        assertThat(first.memberIds()).containsExactly(1, 2);
        assertThat(first.members()).containsExactly("d1", "d2");
        long configuration = d1.monitor().refresh().join().configurationId();
        assertThat(first.configurationId()).isEqualTo(configuration).isNotZero();
        assertThat(s.ringState()).isEqualTo(first);
        String test = Thread.currentThread().getName();
        assertThat(s.ring().map(r -> Thread.currentThread().getName()).blockFirst(TIMEOUT))
                .as("the replayed state arrives on the session's loop, not the subscriber's thread").isNotEqualTo(test);

        // d2 goes silent: d1 loses the token, gathers, and forms a configuration alone; the session sees each step.
        List<RingState> seen = new ArrayList<>();
        StepVerifier.create(s.ring().skip(1).doOnNext(seen::add).takeUntil(r -> r.regular()))
                .then(() -> net.isolate(2, true))
                .thenConsumeWhile(r -> true)
                .expectComplete().verify(TIMEOUT);
        assertThat(seen).as("the states the session saw: %s", seen).first()
                .matches(r -> r.phase() == RingState.Phase.GATHERING && r.memberIds().isEmpty());
        RingState last = seen.get(seen.size() - 1);
        assertThat(last.memberIds()).containsExactly(1);
        assertThat(last.members()).containsExactly("d1");
        assertThat(last.configurationId()).isNotEqualTo(configuration);
        assertThat(s.ringState()).isEqualTo(last);
    }

    @Test
    void theFrameIsLaidOutAsDocsProtocolDrawsIt() {
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        RingFrame.encode(new io.consort.protocol.FrameWriter(b),
                new RingFrame(RingFrame.REGULAR, 0x688f1e16c2001L, "d1", 1, List.of(1), List.of("d1")));
        // docs/PROTOCOL.md, RING 0x89: the example's bytes.
        assertThat(io.netty.buffer.ByteBufUtil.hexDump(b)).isEqualTo("0000001c" + "89" + "02" + "000688f1e16c2001"
                + "0002" + "6431" + "00000001" + "0001" + "00000001" + "0002" + "6431");
        b.skipBytes(FrameType.LENGTH_BYTES);
        io.consort.protocol.FrameReader r = new io.consort.protocol.FrameReader(b);
        assertThat(r.type()).isEqualTo(FrameType.RING);
        assertThat(RingFrame.decode(r).memberNames()).containsExactly("d1");
        b.release();
    }

    @Test
    void aDaemonAloneIsRegularAndOnlyVersionThreeSessionsHearOfIt() throws Exception {
        EmbeddedDaemon d = EmbeddedDaemon.startEphemeral();
        closing.add(d);
        try (RawClient v3 = new RawClient(d.port())) {
            v3.frame(w -> ClientFrames.helloOffering(w, 1, "three", null, null));
            assertThat(v3.next().type()).isEqualTo(FrameType.WELCOME);
            RawClient.Frame ring = v3.next();
            assertThat(ring.type()).as("the frame after WELCOME").isEqualTo(FrameType.RING);
            io.consort.protocol.FrameReader r = ring.reader();
            RingFrame f = RingFrame.decode(r);
            r.end();
            assertThat(f.phase()).isEqualTo(RingFrame.REGULAR);
            assertThat(f.daemon()).isEqualTo(d.monitor().daemonName());
            assertThat(f.memberNames()).containsExactly(d.monitor().daemonName());
        }
        for (int version : new int[] {1, 2}) {
            try (RawClient old = new RawClient(d.port())) {
                if (version == 1) {
                    old.frame(w -> ClientFrames.hello(w, "old1"));
                } else {
                    old.frame(w -> w.begin(FrameType.HELLO).u16(2).str("old2").u8(FrameType.AUTH_NONE).end());
                }
                assertThat(old.next().type()).isEqualTo(FrameType.WELCOME);
                old.join(1, "g");
                RawClient.Frame f;
                while ((f = old.next()).type() != FrameType.DONE) {
                    assertThat(f.type()).as("a version-%d session's frames", version).isNotEqualTo(FrameType.RING);
                }
            }
        }
    }
}
