package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.transport.udp.UdpDaemonNetwork;
import io.consort.transport.udp.UdpOptions;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Spread 4.4 programs on three Consort daemons in a ring over UDP on loopback, beside a Consort
 * session: one view order and one group id at every member, messages and unicasts across daemons,
 * and the transitional and NETWORK memberships (with their vs-set) when a daemon leaves.
 */
class SpreadRingTest {
    private static final Duration TIMEOUT = SpreadProbe.TIMEOUT;
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        daemons.forEach(EmbeddedDaemon::close);
    }

    private void startRing(int n) throws Exception {
        Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
        List<DatagramSocket> held = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            held.add(s);
            addresses.put(i, new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        }
        held.forEach(DatagramSocket::close);
        for (int id : addresses.keySet()) {
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id)
                    .withDaemonName("d" + id).withIncarnation(System.currentTimeMillis());
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(0).withEngine(engine)
                            .withSpreadDaemonOrder(addresses.keySet().stream().map(i -> "d" + i).toList()),
                    UdpDaemonNetwork.create(UdpOptions.of(id, addresses))));
        }
        List<Integer> all = new ArrayList<>(addresses.keySet());
        await().atMost(TIMEOUT).until(() -> {
            for (EmbeddedDaemon d : daemons) {
                if (!d.configurationMembers().equals(all)) {
                    return false;
                }
            }
            return true;
        });
    }

    private SpreadProbe probe(int daemon, String user) throws Exception {
        SpreadProbe p = SpreadProbe.connected(daemons.get(daemon - 1).spreadPort(), user, true);
        closeables.add(p);
        return p;
    }

    private static SpreadLine recv(SpreadProbe p) throws Exception {
        return SpreadLine.parse(p.recv());
    }

    @Test
    void spreadProgramsOnThreeDaemonsShareGroupsWithConsortSessions() throws Exception {
        SpreadTools.home();
        startRing(3);
        SpreadProbe alice = probe(1, "alice");
        SpreadProbe bob = probe(2, "bob");
        Session carol = ConsortClient.create().port(daemons.get(2).port()).name("carol").connect().block(TIMEOUT);
        closeables.add(() -> carol.close().onErrorComplete().block(TIMEOUT));
        Flux<GroupMessage> atCarol = carol.messages("g").take(2).cache();
        atCarol.subscribe();

        alice.ask("join g");
        recv(alice);
        bob.ask("join g");
        SpreadLine bobJoinAtAlice = recv(alice);
        SpreadLine bobJoinAtBob = recv(bob);
        assertThat(bobJoinAtAlice.get("members")).isEqualTo(bobJoinAtBob.get("members")).isEqualTo("#alice#d1,#bob#d2");
        assertThat(bobJoinAtAlice.get("gid")).isEqualTo(bobJoinAtBob.get("gid"));
        StepVerifier.create(carol.views("g").take(1))
                .then(() -> carol.join("g").block(TIMEOUT))
                .assertNext(v -> assertThat(v.members()).containsExactly("#alice#d1", "#bob#d2", "#carol#d3"))
                .expectComplete().verify(TIMEOUT);
        SpreadLine a = recv(alice);
        SpreadLine b = recv(bob);
        for (SpreadLine l : List.of(a, b)) {
            assertThat(l.fields()).containsEntry("cause", "JOIN").containsEntry("changed", "#carol#d3")
                    .containsEntry("members", "#alice#d1,#bob#d2,#carol#d3");
        }
        assertThat(a.get("gid")).isEqualTo(b.get("gid"));
        assertThat(a.get("me")).isEqualTo("0");
        assertThat(b.get("me")).isEqualTo("1");

        // Across daemons: a SAFE multicast to all, a unicast from d2 to d1, a Consort message to the Spread members.
        alice.ask("mcast 0x20 3 over-the-ring g");
        assertThat(recv(alice).get("text")).isEqualTo("over-the-ring");
        assertThat(recv(bob).fields()).containsEntry("sender", "#alice#d1").containsEntry("service", "0x20")
                .containsEntry("type", "3").containsEntry("text", "over-the-ring");
        bob.ask("mcast 0x4 -2 for-alice #alice#d1");
        assertThat(recv(alice).fields()).containsEntry("sender", "#bob#d2").containsEntry("groups", "#alice#d1")
                .containsEntry("type", "-2").containsEntry("service", "0x4");
        // A big-endian client's type and byte order cross the ring as they came.
        bob.ask("raw be 0x50 5 big-endian #alice#d1");
        assertThat(recv(alice).fields()).containsEntry("sender", "#bob#d2").containsEntry("service", "0x50")
                .containsEntry("type", "5").containsEntry("endian", "1").containsEntry("text", "big-endian");
        carol.multicast(OutgoingMessage.to("g").level(ServiceLevel.AGREED).type(12)
                .payload(new byte[] {0, 1, 2, (byte) 0xff})).block(TIMEOUT);
        for (SpreadProbe p : List.of(alice, bob)) {
            assertThat(recv(p).fields()).containsEntry("sender", "#carol#d3").containsEntry("service", "0x10")
                    .containsEntry("type", "12").containsEntry("len", "4");
        }
        StepVerifier.create(atCarol)
                .assertNext(m -> assertThat(m.text()).isEqualTo("over-the-ring"))
                .assertNext(m -> assertThat(m.payload()).containsExactly(0, 1, 2, 0xff))
                .expectComplete().verify(TIMEOUT);

        // d3 stops: carol leaves, then the ring re-forms without d3. g's daemons d1 and d2 both go
        // through the change, so, as from Spread's daemon, its members get no membership for it.
        daemons.remove(2).close();
        for (SpreadProbe p : List.of(alice, bob)) {
            assertThat(recv(p).fields()).containsEntry("cause", "LEAVE").containsEntry("changed", "#carol#d3");
        }
        await().atMost(TIMEOUT).until(() -> daemons.get(0).configurationMembers().equals(List.of(1, 2))
                && daemons.get(1).configurationMembers().equals(List.of(1, 2)));
        alice.ask("mcast 0x10 1 after g");
        assertThat(recv(bob).fields()).containsEntry("sender", "#alice#d1").containsEntry("text", "after");
        assertThat(recv(alice).fields()).containsEntry("sender", "#alice#d1").containsEntry("text", "after");
    }
}
