package io.consort.samples.map;

import io.consort.daemon.DaemonNetwork;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daemons of one JVM wired together without sockets: a hub and one endpoint per daemon id (copied from
 * reactive-api's test sources), plus {@link #kill}: the daemon's datagrams stop both ways, for good; and
 * {@link #partition}: datagrams between daemons on different sides are dropped until {@link #heal}.
 *
 * <pre>{@code
 * net.partition(Set.of(1, 2), Set.of(3)); // d3 is cut off from d1 and d2
 * net.heal();
 * }</pre>
 */
final class InMemoryDaemonNetwork {
    private final Map<Integer, DaemonNetwork.Receiver> receivers = new ConcurrentHashMap<>();
    private final Set<Integer> dead = ConcurrentHashMap.newKeySet();
    /** Daemon id to the index of its side while partitioned; empty when every daemon reaches every other. */
    private volatile Map<Integer, Integer> sides = Map.of();

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

    /** From now on only daemons on the same side reach each other (a daemon on no side reaches nobody). */
    @SafeVarargs
    final void partition(Set<Integer>... groups) {
        Map<Integer, Integer> bySide = new java.util.HashMap<>();
        for (int i = 0; i < groups.length; i++) {
            for (Integer id : groups[i]) {
                bySide.put(id, i);
            }
        }
        sides = Map.copyOf(bySide);
    }

    /** Ends the partition: every live daemon reaches every other again. */
    void heal() {
        sides = Map.of();
    }

    private void deliver(int from, int to, byte[] datagram) {
        if (dead.contains(from) || dead.contains(to)) {
            return;
        }
        Map<Integer, Integer> now = sides;
        if (!now.isEmpty() && !Objects.equals(now.get(from), now.get(to))
                || !now.isEmpty() && now.get(from) == null) {
            return;
        }
        DaemonNetwork.Receiver r = receivers.get(to);
        if (r != null) {
            r.datagram(from, datagram.clone());
        }
    }
}
