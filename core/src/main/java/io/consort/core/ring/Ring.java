package io.consort.core.ring;

/**
 * Orders the items daemons submit. Items of one daemon come out in the order it submitted them.
 * Implementations are pure: they are driven by the engine and never block or call back during
 * {@link #submit}; ordered items come out only from {@link #drainTo}.
 */
public interface Ring {
    /** Submits an item of this daemon for ordering. */
    void submit(AgreedItem item);

    /** Hands every item that is now in order to the sink; returns how many. */
    int drainTo(OrderedSink sink);

    /** The id of the current configuration. */
    long configurationId();

    /**
     * A datagram from daemon {@code fromDaemon}. Rings of one drop it. Never throws for bad
     * content: a malformed datagram is counted and dropped.
     */
    default void receive(int fromDaemon, byte[] datagram, long nowNanos) {
    }

    /** The driver's timer fired (or any time passed); the ring acts on expired deadlines. */
    default void tick(long nowNanos) {
    }

    /** The earliest time the ring wants a {@link #tick}, or {@link Long#MAX_VALUE} for none. */
    default long nextDeadlineNanos() {
        return Long.MAX_VALUE;
    }

    /** Moves the ring's network outputs (datagrams to send) to {@code out}. */
    default void takeOutputs(java.util.function.Consumer<? super io.consort.core.Output> out) {
    }

    /**
     * The group state exchange of the current configuration is complete: the ring may now order
     * the items of sessions again. A ring holds session items back from the moment it installs a
     * new configuration until this call, so that only daemon state is ordered before the new views.
     * The call names the configuration whose exchange completed: the ring may have moved on to a
     * newer one by the time the engine has drained the older one's deliveries, and then it stays shut.
     */
    default void openClientTraffic(long configurationId) {
    }

    /**
     * Takes back the client items (not daemon control items) this daemon submitted that the ring
     * has not sent yet, in submission order; they will not be sent. Used at a new regular
     * configuration, before {@link #openClientTraffic}, to resubmit in a new order. Rings that
     * {@link FragmentingRing} does not wrap need not support it.
     */
    default java.util.List<AgreedItem> withdrawClientItems() {
        throw new UnsupportedOperationException("withdrawClientItems");
    }

    /** How many messages the ring holds (ordered, waiting, or kept for retransmission): for memory bounds. */
    default int heldMessages() {
        return 0;
    }

    /** The daemons of the current configuration, in ring order; a ring of one lists nothing. */
    default java.util.List<Integer> members() {
        return java.util.List.of();
    }

    /**
     * The daemon is stopping: once everything it submitted is held by every member, the ring tells
     * the others it leaves (so they form a configuration without it at once, not after a token-loss
     * timeout), passes the token on, and goes silent. By {@code deadlineNanos} it gives up waiting
     * and goes silent anyway. A ring of one has no one to tell.
     */
    default void leave(long deadlineNanos) {
    }

    /** Datagrams dropped because they could not be decoded; 0 for rings that receive none. */
    default long droppedDatagrams() {
        return 0;
    }

    /** The wire version the current configuration runs at ({@link io.consort.core.WireVersions}); 0 for a ring of one, which sends nothing. */
    default int wireVersion() {
        return 0;
    }

    /** The ring's counters, for metrics (a fresh, empty one for rings that count nothing). */
    default RingCounters counters() {
        return new RingCounters();
    }

    /** Whether a {@link #leave} is complete: the daemon may stop now. True for a ring of one. */
    default boolean left() {
        return true;
    }
}
