package io.consort.daemon;

import io.consort.core.wire.Header;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daemons of one JVM wired together without sockets, through a hub a test can cut: one endpoint per
 * daemon id. Tests of every module that runs daemons in process share it (through daemon's test-jar).
 *
 * <pre>{@code
 * InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
 * EmbeddedDaemon d1 = ... .network(net.endpoint(1)) ...;
 * net.partition(Set.of(1, 2), Set.of(3)); // d3 is cut off from d1 and d2
 * net.heal();
 * net.kill(2);                            // d2's datagrams stop both ways, for good
 * }</pre>
 */
public final class InMemoryDaemonNetwork {
    private final Map<Integer, DaemonNetwork.Receiver> receivers = new ConcurrentHashMap<>();
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    private final Set<Integer> dead = ConcurrentHashMap.newKeySet();
    private final Set<Integer> starved = ConcurrentHashMap.newKeySet();
    /** Daemon id to the index of its side while partitioned; empty when every daemon reaches every other. */
    private volatile Map<Integer, Integer> sides = Map.of();

    /** The endpoint of daemon {@code id}. */
    public DaemonNetwork endpoint(int id) {
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

    /** Isolates daemon {@code id} from every other one, or heals that. */
    public void isolate(int id, boolean isolate) {
        if (isolate) {
            isolated.add(id);
        } else {
            isolated.remove(id);
        }
    }

    /** From now on nothing daemon {@code id} sends arrives and nothing reaches it, as if it were killed. */
    public void kill(int id) {
        dead.add(id);
    }

    /**
     * From now on daemon {@code id} gets no ring messages, only tokens and the membership protocol's
     * packets: the ring goes on, but nothing it misses can become safe.
     */
    public void starve(int id) {
        starved.add(id);
    }

    /** From now on only daemons on the same side reach each other (a daemon on no side reaches nobody). */
    @SafeVarargs
    public final void partition(Set<Integer>... groups) {
        Map<Integer, Integer> bySide = new HashMap<>();
        for (int i = 0; i < groups.length; i++) {
            for (Integer id : groups[i]) {
                bySide.put(id, i);
            }
        }
        sides = Map.copyOf(bySide);
    }

    /** Ends the partition: every live daemon reaches every other again. */
    public void heal() {
        sides = Map.of();
    }

    private boolean reaches(int from, int to, byte[] datagram) {
        if (dead.contains(from) || dead.contains(to) || isolated.contains(from) || isolated.contains(to)) {
            return false;
        }
        if (starved.contains(to) && datagram.length > 3 && datagram[3] == Header.TYPE_MESSAGE) {
            return false;
        }
        Map<Integer, Integer> now = sides;
        return now.isEmpty() || now.get(from) != null && Objects.equals(now.get(from), now.get(to));
    }

    private void deliver(int from, int to, byte[] datagram) {
        if (!reaches(from, to, datagram)) {
            return;
        }
        DaemonNetwork.Receiver r = receivers.get(to);
        if (r != null) {
            r.datagram(from, datagram.clone());
        }
    }
}
