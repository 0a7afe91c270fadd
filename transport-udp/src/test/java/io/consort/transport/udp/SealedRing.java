package io.consort.transport.udp;

import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Daemons in this JVM over real UDP on loopback whose traffic is sealed, each with its own
 * {@link PacketSealer}; optionally every link goes through a {@link ManInTheMiddle}.
 */
final class SealedRing implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    final List<EmbeddedDaemon> daemons = new ArrayList<>();
    final List<UdpDaemonNetwork> networks = new ArrayList<>();
    final List<PacketSealer> sealers = new ArrayList<>();
    final List<Session> sessions = new ArrayList<>();
    ManInTheMiddle relay;

    /** Daemons 1..keys.size(), daemon i sealing with keys.get(i-1); through a relay if {@code relayed}. */
    static SealedRing start(List<ClusterKeys> keys, boolean relayed) throws Exception {
        SealedRing r = new SealedRing();
        try {
            Map<Integer, InetSocketAddress> real = UdpDaemonNetworkTest.freeAddresses(keys.size());
            if (relayed) {
                r.relay = new ManInTheMiddle(real);
            }
            for (int id : real.keySet()) {
                Map<Integer, InetSocketAddress> view = relayed ? r.relay.viewOf(id) : new TreeMap<>(real);
                PacketSealer sealer = PacketSealer.forProcess(id, keys.get(id - 1));
                UdpDaemonNetwork net = UdpDaemonNetwork.create(UdpOptions.of(id, view),
                        UdpDaemonNetwork.DEFAULT_MAX_PACKET_BYTES, sealer);
                EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id)
                        .withDaemonName("d" + id).withIncarnation(System.currentTimeMillis());
                r.sealers.add(sealer);
                r.networks.add(net);
                r.daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine), net));
            }
        } catch (Exception | Error e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** Waits until every daemon of {@code ids} (1-based) has the configuration {@code ids}. */
    void awaitRing(List<Integer> ids) {
        await().atMost(TIMEOUT).until(() -> {
            for (int id : ids) {
                if (!daemons.get(id - 1).configurationMembers().equals(ids)) {
                    return false;
                }
            }
            return true;
        });
    }

    Session connect(int daemon, String name) {
        Session s = ConsortClient.create().port(daemons.get(daemon - 1).port()).name(name).connect().block(TIMEOUT);
        sessions.add(s);
        return s;
    }

    @Override
    public void close() {
        for (Session s : sessions) {
            try {
                s.close().block(TIMEOUT);
            } catch (RuntimeException e) {
                // already gone
            }
        }
        daemons.forEach(EmbeddedDaemon::close);
        if (relay != null) {
            relay.close();
        }
    }
}
