package io.consort.daemon;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Daemons of one JVM wired together without sockets: a hub and one endpoint per daemon id. Public for
 * other modules' tests (the Spring starter's), through the daemon's test jar.
 *
 * <pre>{@code
 * InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
 * EmbeddedDaemon d1 = EmbeddedDaemon.start(options1, net.endpoint(1));
 * net.isolate(2, true); // daemon 2's datagrams go nowhere, and none reach it
 * }</pre>
 */
public final class InMemoryDaemonNetwork {
    private final Map<Integer, DaemonNetwork.Receiver> receivers = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> cut = new ConcurrentHashMap<>();

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

    /** Isolates daemon {@code id} from every other one (or heals it). */
    public void isolate(int id, boolean isolated) {
        cut.put(id, isolated);
    }

    private void deliver(int from, int to, byte[] datagram) {
        if (cut.getOrDefault(from, false) || cut.getOrDefault(to, false)) {
            return;
        }
        DaemonNetwork.Receiver r = receivers.get(to);
        if (r != null) {
            r.datagram(from, datagram.clone());
        }
    }
}
