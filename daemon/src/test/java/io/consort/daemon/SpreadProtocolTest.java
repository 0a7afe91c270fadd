package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The Spread 4.4 client protocol at the byte level (the tests with Spread's own library are in
 * transport-udp): both byte orders, a handshake that arrives in pieces, the reject codes, bad
 * headers killing only their session, the port shared with Consort's protocol, and vs-sets after
 * a partition heals.
 */
class SpreadProtocolTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        daemons.forEach(EmbeddedDaemon::close);
    }

    private EmbeddedDaemon single(int spreadPort) {
        EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(spreadPort)
                .withEngine(EngineConfig.defaults().withDaemonName("d1")));
        daemons.add(d);
        return d;
    }

    private RawSpreadClient client(int port, String name, ByteOrder order) throws Exception {
        RawSpreadClient c = RawSpreadClient.connect(port, name, order);
        closeables.add(c);
        return c;
    }

    @Test
    void bigAndLittleEndianClientsTalkToEachOther() throws Exception {
        EmbeddedDaemon d = single(0);
        RawSpreadClient big = client(d.spreadPort(), "big", ByteOrder.BIG_ENDIAN);
        RawSpreadClient little = client(d.spreadPort(), "little", ByteOrder.LITTLE_ENDIAN);
        assertThat(big.privateGroup).isEqualTo("#big#d1");
        big.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
        RawSpreadClient.Message joined = big.receive();
        assertThat(joined.type()).isEqualTo(RawSpreadClient.REG_MEMB | 0x100);
        assertThat(joined.groups()).containsExactly("#big#d1");
        little.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
        assertThat(big.receive().groups()).containsExactly("#big#d1", "#little#d1");
        assertThat(little.receive().groups()).containsExactly("#big#d1", "#little#d1");

        byte[] payload = {1, 2, 3, 4, 5};
        big.send(RawSpreadClient.AGREED, List.of("g"), 300, payload);
        for (RawSpreadClient c : List.of(big, little)) {
            RawSpreadClient.Message m = c.receive();
            assertThat(m.type()).isEqualTo(RawSpreadClient.AGREED);
            assertThat(m.sender()).isEqualTo("#big#d1");
            assertThat(m.messType()).isEqualTo(300);
            assertThat(m.body()).isEqualTo(payload);
        }
        little.send(RawSpreadClient.AGREED | 0x40, List.of("g"), -1, "x".getBytes(StandardCharsets.US_ASCII));
        RawSpreadClient.Message m = big.receive();
        assertThat(m.messType()).isEqualTo(-1);
        assertThat(m.sender()).isEqualTo("#little#d1");
    }

    @Test
    void aHandshakeInPiecesIsAcceptedAndBadOnesGetSpreadsRejectCodes() throws Exception {
        EmbeddedDaemon d = single(0);
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            assertThat(c.handshake(new byte[] {4, 4, 0}, "slow", true)).isEqualTo(1);
            assertThat(c.privateGroup).isEqualTo("#slow#d1");
        }
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            // A 3.15 library: no authentication exchange (that came with 3.16), the accept at once.
            c.out.write(new byte[] {3, 15, 0, 1, 3, 'o', 'l', 'd'});
            c.out.flush();
            assertThat(c.in.readNBytes(5)).containsExactly(1, 4, 4, 0, "#old#d1".length());
            assertThat(new String(c.in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("#old#d1");
        }
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            c.out.write(new byte[] {3, 0, 1, 1, 'a'});
            c.out.flush();
            assertThat(c.in.readByte()).isEqualTo((byte) -7); // REJECT_VERSION: older than 3.1.0
        }
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            assertThat(c.handshake(new byte[] {4, 4, 0}, "elevenchars", false)).isEqualTo(-5);
        }
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            assertThat(c.handshake(new byte[] {4, 4, 0}, "sp ace", false)).isEqualTo(-5);
        }
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            assertThat(c.handshake(new byte[] {4, 4, 0}, "pw", false, "PWORD")).isEqualTo(-9);
        }
        try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
            assertThat(c.handshake(new byte[] {4, 4, 0}, "slow", false)).isEqualTo(1);
            try (RawSpreadClient dup = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
                assertThat(dup.handshake(new byte[] {4, 4, 0}, "slow", false)).isEqualTo(-6);
            }
        }
    }

    @Test
    void aBadHeaderKillsOnlyItsSession() throws Exception {
        EmbeddedDaemon d = single(0);
        RawSpreadClient watcher = client(d.spreadPort(), "watcher", ByteOrder.LITTLE_ENDIAN);
        watcher.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
        watcher.receive();
        List<ThrowingSend> bad = List.of(
                c -> c.send(RawSpreadClient.AGREED | 0x20, List.of("g"), 0, new byte[1]), // two services
                c -> c.send(RawSpreadClient.AGREED, "#someone#d1", List.of("g"), 0, new byte[1]), // not its name
                c -> c.send(RawSpreadClient.AGREED, c.privateGroup, List.of("g"), 0x01000000, new byte[1]), // hint
                c -> c.send(RawSpreadClient.AGREED, java.util.Collections.nCopies(101, "g"), 0, new byte[1]), // names
                c -> c.send(RawSpreadClient.AGREED, List.of("g"), 0, new byte[143_953])); // over the limit
        int i = 0;
        for (ThrowingSend s : bad) {
            RawSpreadClient c = client(d.spreadPort(), "bad" + i++, ByteOrder.LITTLE_ENDIAN);
            c.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
            c.receive();
            assertThat(watcher.receive().sender()).isEqualTo("g");
            try {
                s.send(c);
            } catch (java.net.SocketException e) {
                // the daemon closed the connection after the header, while the body was still being written
            }
            assertThat(c.closedByDaemon()).isTrue();
            RawSpreadClient.Message gone = watcher.receive();
            assertThat(gone.type()).isEqualTo(RawSpreadClient.REG_MEMB | 0x400);
            assertThat(gone.groups()).containsExactly("#watcher#d1");
        }
        watcher.send(RawSpreadClient.AGREED, List.of("g"), 1, new byte[] {42});
        assertThat(watcher.receive().body()).containsExactly(42);
    }

    @Test
    void garbageOnTheSpreadPortHarmsNoOne() throws Exception {
        EmbeddedDaemon d = single(0);
        RawSpreadClient watcher = client(d.spreadPort(), "watcher", ByteOrder.LITTLE_ENDIAN);
        watcher.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
        watcher.receive();
        java.util.SplittableRandom r = new java.util.SplittableRandom(13);
        for (int i = 0; i < 40; i++) {
            try (RawSpreadClient c = new RawSpreadClient(d.spreadPort(), ByteOrder.LITTLE_ENDIAN)) {
                if (i % 2 == 1) {
                    assertThat(c.handshake(new byte[] {4, 4, 0}, "f" + i, false)).isEqualTo(1);
                }
                byte[] junk = new byte[r.nextInt(1, 4096)];
                r.nextBytes(junk);
                if (i % 4 == 0) {
                    junk[0] = 4; // looks like a connect message
                }
                try {
                    c.out.write(junk);
                    c.out.flush();
                } catch (java.io.IOException e) {
                    // closed by the daemon already
                }
            }
        }
        await().atMost(TIMEOUT).until(() -> d.sessionCount() == 1);
        watcher.send(RawSpreadClient.AGREED, List.of("g"), 3, new byte[] {7});
        RawSpreadClient.Message m = watcher.receive();
        while (m.type() != RawSpreadClient.AGREED) {
            m = watcher.receive(); // memberships of fuzzers that got as far as a join
        }
        assertThat(m.body()).containsExactly(7);
    }

    @FunctionalInterface
    interface ThrowingSend {
        void send(RawSpreadClient c) throws Exception;
    }

    @Test
    void spreadAndConsortClientsShareOnePort() throws Exception {
        EmbeddedDaemon d = single(DaemonOptions.SPREAD_ON_CLIENT_PORT);
        assertThat(d.spreadPort()).isEqualTo(d.port());
        RawSpreadClient s = client(d.port(), "spread", ByteOrder.LITTLE_ENDIAN);
        Session c = ConsortClient.create().port(d.port()).name("consort").connect().block(TIMEOUT);
        closeables.add(() -> c.close().block(TIMEOUT));
        s.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
        s.receive();
        StepVerifier.create(c.messages("g").take(1))
                .then(() -> c.join("g").block(TIMEOUT))
                .then(() -> {
                    try {
                        // Spread's order (by name), not the joins'.
                        assertThat(s.receive().groups()).containsExactly("#consort#d1", "#spread#d1");
                        s.send(RawSpreadClient.AGREED, List.of("g"), 5, "hi".getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .assertNext(m -> {
                    assertThat(m.text()).isEqualTo("hi");
                    assertThat(m.level()).isEqualTo(ServiceLevel.AGREED);
                    assertThat(m.type()).isEqualTo(5);
                })
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void afterAPartitionHealsEveryMemberGetsTheSameVsSets() throws Exception {
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        for (int i = 1; i <= 3; i++) {
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(0)
                    .withEngine(EngineConfig.defaults().withClustered(true).withDaemonId(i).withDaemonName("d" + i)
                            .withIncarnation(System.currentTimeMillis())), net.endpoint(i)));
        }
        await().atMost(TIMEOUT).until(() -> daemons.stream().allMatch(d -> {
            try {
                return d.configurationMembers().equals(List.of(1, 2, 3));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        List<RawSpreadClient> cs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            RawSpreadClient c = client(daemons.get(i - 1).spreadPort(), "c" + i, ByteOrder.LITTLE_ENDIAN);
            cs.add(c);
            c.send(RawSpreadClient.JOIN, List.of("g"), 0, new byte[0]);
            for (int j = 0; j < i; j++) {
                assertThat(cs.get(j).receive().groups()).hasSize(i);
            }
        }
        net.isolate(3, true);
        for (RawSpreadClient c : cs) {
            RawSpreadClient.Message network = untilNetwork(c);
            assertThat(network.groups()).hasSize(c == cs.get(2) ? 1 : 2);
        }
        net.isolate(3, false);
        List<RawSpreadClient.Message> merged = new ArrayList<>();
        for (RawSpreadClient c : cs) {
            RawSpreadClient.Message m = untilNetwork(c);
            while (m.groups().size() < 3) {
                m = untilNetwork(c);
            }
            merged.add(m);
        }
        for (RawSpreadClient.Message m : merged) {
            assertThat(m.groups()).containsExactly("#c1#d1", "#c2#d2", "#c3#d3");
            assertThat(m.vsSets()).containsExactly(List.of("#c1#d1", "#c2#d2"), List.of("#c3#d3"));
            assertThat(m.groupId()).isEqualTo(merged.get(0).groupId());
        }
        assertThat(merged.get(0).localOffset()).isZero();
        assertThat(merged.get(1).localOffset()).isZero();
        assertThat(merged.get(2).localOffset()).isEqualTo(4 + 2 * 32);
    }

    /** Skips transitional memberships; the next NETWORK membership. */
    private static RawSpreadClient.Message untilNetwork(RawSpreadClient c) throws Exception {
        while (true) {
            RawSpreadClient.Message m = c.receive();
            if (m.type() == (RawSpreadClient.REG_MEMB | RawSpreadClient.CAUSED_BY_NETWORK)) {
                return m;
            }
            assertThat(m.type()).isEqualTo(RawSpreadClient.TRANSITION);
        }
    }
}
