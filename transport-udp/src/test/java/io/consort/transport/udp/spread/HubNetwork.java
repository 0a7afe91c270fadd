package io.consort.transport.udp.spread;

import io.consort.core.wire.Header;
import io.consort.daemon.DaemonNetwork;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daemons of one JVM wired through a hub without sockets, which a test can cut: a daemon isolated
 * from all others, or one starved of the ring's messages (it still gets tokens and the membership
 * protocol's packets, so the ring goes on, but nothing it misses can become safe).
 */
final class HubNetwork {
    private final Map<Integer, DaemonNetwork.Receiver> receivers = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> isolated = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> starved = new ConcurrentHashMap<>();

    /** The endpoint of daemon {@code id}. */
    DaemonNetwork endpoint(int id) {
        return new DaemonNetwork() {
            @Override
            public void start(Receiver receiver) {
                receivers.put(id, receiver);
            }

            @Override
            public void send(int toDaemon, byte[] datagram) {
                deliver(id, toDaemon, datagram);
            }

            @Override
            public void broadcast(byte[] datagram) {
                for (Integer to : receivers.keySet()) {
                    if (to != id) {
                        deliver(id, to, datagram);
                    }
                }
            }

            @Override
            public void close() {
                receivers.remove(id);
            }
        };
    }

    void isolate(int id) {
        isolated.put(id, true);
    }

    void starve(int id) {
        starved.put(id, true);
    }

    private void deliver(int from, int to, byte[] datagram) {
        if (isolated.getOrDefault(from, false) || isolated.getOrDefault(to, false)) {
            return;
        }
        if (starved.getOrDefault(to, false) && datagram.length > 3 && datagram[3] == Header.TYPE_MESSAGE) {
            return;
        }
        DaemonNetwork.Receiver r = receivers.get(to);
        if (r != null) {
            r.datagram(from, datagram.clone());
        }
    }
}
