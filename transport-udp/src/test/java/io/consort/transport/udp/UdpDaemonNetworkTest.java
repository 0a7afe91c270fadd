package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Three daemons in this JVM over real UDP sockets on loopback. */
class UdpDaemonNetworkTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<UdpDaemonNetwork> networks = new ArrayList<>();
    private Map<Integer, InetSocketAddress> addresses = Map.of();

    @AfterEach
    void stop() {
        daemons.forEach(EmbeddedDaemon::close);
    }

    static Map<Integer, InetSocketAddress> freeAddresses(int n) throws Exception {
        Map<Integer, InetSocketAddress> m = new TreeMap<>();
        List<DatagramSocket> held = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            held.add(s);
            m.put(i, new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
        }
        held.forEach(DatagramSocket::close);
        return m;
    }

    private void startAll(int n, boolean preferNative) throws Exception {
        addresses = freeAddresses(n);
        for (int id : addresses.keySet()) {
            UdpDaemonNetwork net = UdpDaemonNetwork.create(UdpOptions.of(id, addresses).withPreferNative(preferNative));
            networks.add(net);
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id)
                    .withDaemonName("d" + id).withIncarnation(System.currentTimeMillis());
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine), net));
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

    @Test
    void daemonsFormARingOverUdpAndBadDatagramsAreDroppedWithoutHarm() throws Exception {
        startAll(3, true);
        Session a = ConsortClient.create().port(daemons.get(0).port()).name("a").connect().block(TIMEOUT);
        Session c = ConsortClient.create().port(daemons.get(2).port()).name("c").connect().block(TIMEOUT);
        c.join("g").then(a.join("g")).block(TIMEOUT);

        // Garbage, a wrong version, and a well-formed header claiming daemon 2 from a foreign socket.
        InetSocketAddress target = addresses.get(1);
        try (DatagramSocket rogue = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[r.nextInt(0, 1500)];
                r.nextBytes(junk);
                rogue.send(new DatagramPacket(junk, junk.length, target));
            }
            byte[] spoof = {0x43, 0x44, 1, 0, 2, 9, 9, 9};
            rogue.send(new DatagramPacket(spoof, spoof.length, target));
            byte[] badVersion = {0x43, 0x44, 9, 0, 2, 9, 9, 9};
            rogue.send(new DatagramPacket(badVersion, badVersion.length, target));
        }
        await().atMost(TIMEOUT).until(() -> networks.get(0).droppedDatagrams() >= 190);

        StepVerifier.create(c.messages("g").take(100).map(GroupMessage::text).collectList())
                .then(() -> {
                    // A request of c after its subscription proves the stream is open at its daemon.
                    c.join("g").block(TIMEOUT);
                    for (int i = 0; i < 100; i++) {
                        a.multicast("g", ServiceLevel.AGREED, "m" + i).block(TIMEOUT);
                    }
                })
                .assertNext(l -> assertThat(l).hasSize(100).first().isEqualTo("m0"))
                .expectComplete().verify(TIMEOUT);
        assertThat(daemons.get(0).configurationMembers()).containsExactly(1, 2, 3);
    }

    @Test
    void theNioTransportWorksToo() throws Exception {
        startAll(2, false);
        assertThat(networks.get(0).nativeTransport()).isFalse();
        Session a = ConsortClient.create().port(daemons.get(0).port()).name("a").connect().block(TIMEOUT);
        Session b = ConsortClient.create().port(daemons.get(1).port()).name("b").connect().block(TIMEOUT);
        StepVerifier.create(b.messages("g").take(1).map(GroupMessage::text))
                .then(() -> b.join("g").then(a.multicast("g", ServiceLevel.SAFE, "over nio")).block(TIMEOUT))
                .expectNext("over nio")
                .expectComplete().verify(TIMEOUT);
    }

}
