package io.consort.samples.map;

import io.consort.reactive.daemon.DaemonNetwork;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daemons of one JVM wired together without sockets: a hub and one endpoint per daemon id (copied from
 * reactive-api's test sources), plus {@link #kill}: the daemon's datagrams stop both ways, for good.
 */
final class InMemoryDaemonNetwork {
    private final Map<Integer, DaemonNetwork.Receiver> receivers = new ConcurrentHashMap<>();
    private final Set<Integer> dead = ConcurrentHashMap.newKeySet();

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

    /** From now on nothing daemon {@code id} sends arrives and nothing reaches it, as if it were killed. */
    void kill(int id) {
        dead.add(id);
    }

    private void deliver(int from, int to, byte[] datagram) {
        if (dead.contains(from) || dead.contains(to)) {
            return;
        }
        DaemonNetwork.Receiver r = receivers.get(to);
        if (r != null) {
            r.datagram(from, datagram.clone());
        }
    }
}
