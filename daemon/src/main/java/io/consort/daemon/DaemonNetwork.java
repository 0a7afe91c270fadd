package io.consort.daemon;

/**
 * The daemon-to-daemon network a clustered daemon's engine talks through: the SPI between the
 * engine thread and a datagram transport (transport-udp's {@code UdpDaemonNetwork}, or an
 * in-memory one in tests).
 *
 * <p>{@link #send} and {@link #broadcast} are called on the engine thread only, in the order the
 * engine produced its outputs, then {@link #flush} once per batch. They must not block for long
 * and must never throw for a lost or undeliverable datagram: the ring tolerates loss. The
 * transport hands what it receives to the {@link Receiver} from any thread.
 */
public interface DaemonNetwork extends AutoCloseable {
    /** Where a transport hands the datagrams it receives: already stripped of any transport header. */
    @FunctionalInterface
    interface Receiver {
        /** A datagram from daemon {@code fromDaemon}; the array is the receiver's from now on. */
        void datagram(int fromDaemon, byte[] datagram);

        /** Several datagrams from daemon {@code fromDaemon} that arrived together, in order. */
        default void datagrams(int fromDaemon, java.util.List<byte[]> datagrams) {
            for (byte[] d : datagrams) {
                datagram(fromDaemon, d);
            }
        }
    }

    /** Starts receiving; called once, before any send. */
    void start(Receiver receiver);

    /**
     * Starts receiving on the daemon's own thread: a transport with sockets registers them on
     * {@code daemonLoop} (the group the engine runs on, which it must not shut down), so that a
     * datagram reaches the engine, and the engine's datagrams reach the socket, without a hand-off
     * between threads. Transports without sockets ignore it.
     */
    default void start(Receiver receiver, io.netty.channel.EventLoopGroup daemonLoop) {
        start(receiver);
    }

    /** Sends {@code datagram} to daemon {@code toDaemon}; an unknown daemon is ignored. */
    void send(int toDaemon, byte[] datagram);

    /** Sends {@code datagram} to every other daemon (not to this one). */
    void broadcast(byte[] datagram);

    /** The end of one batch of sends: a transport that buffers writes flushes them now. */
    default void flush() {
    }

    /** Datagrams the transport dropped, by reason (for metrics); readable from any thread. */
    default java.util.Map<String, Long> dropsByReason() {
        return java.util.Map.of();
    }

    /**
     * For testing only (admin.allowFaultInjection): drops every datagram to and from {@code daemons}
     * from now on; an empty set heals. Returns false if the transport cannot.
     */
    default boolean isolate(java.util.Set<Integer> daemons) {
        return false;
    }

    /** Stops sending and receiving and frees the transport's resources. */
    @Override
    void close();

    /**
     * A network with no other daemon: a clustered engine on it runs the Totem ring as a ring of one
     * (gather, commit, recovery and the token, all through itself). For running single-daemon tests
     * on the ring engine.
     */
    static DaemonNetwork alone() {
        return new DaemonNetwork() {
            @Override
            public void start(Receiver receiver) {
            }

            @Override
            public void send(int toDaemon, byte[] datagram) {
            }

            @Override
            public void broadcast(byte[] datagram) {
            }

            @Override
            public void close() {
            }
        };
    }
}
