package io.consort.core;

import java.util.Objects;

/**
 * Immutable configuration of one daemon's engine: four records, each validated in its constructor
 * (cross-field rules included): {@link Identity}, {@link SessionLimits}, {@link TotemTimeouts} and
 * {@link TotemWindows}. Every {@code with...} call returns a copy; the fluent setters of single
 * values are shorthands that rebuild one record.
 *
 * <pre>{@code
 * EngineConfig config = EngineConfig.defaults()
 *         .withDaemonName("d1")
 *         .withMaxMessageBytes(4 << 20)
 *         .withSlowConsumerPolicy(EngineConfig.SlowConsumerPolicy.DISCONNECT);
 * EngineConfig faster = config.withTimeouts(new EngineConfig.TotemTimeouts(
 *         200_000_000L, 20_000_000L, 10_000_000L, 100_000_000L, 50_000_000L, 1_000_000L, 0));
 * }</pre>
 */
public final class EngineConfig {
    /** What the daemon does when a session's buffer reaches its bound. */
    public enum SlowConsumerPolicy {
        /** Disconnect the slow session with {@link ErrorCode#SLOW_CONSUMER}: Spread's behaviour. */
        DISCONNECT,
        /** Stop granting send credits to every session until the slow one has drained to half its bound. */
        HOLD_BACK_SENDERS
    }

    /** 1 MiB, the default largest message payload. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    /**
     * 1400 bytes, the default largest daemon-to-daemon datagram: fits an Ethernet MTU of 1500 with
     * IP, UDP and transport headers.
     */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 1400;

    /** The smallest {@link #maxDatagramBytes()} allowed. */
    public static final int MIN_MAX_DATAGRAM_BYTES = 512;

    /** The largest daemon id: ring ids keep the representative's id in their low 10 bits. */
    public static final int MAX_DAEMON_ID = 1023;

    /**
     * Who this daemon is.
     *
     * @param daemonName  the second part of its sessions' private names: printable ASCII, no '#', at most 32 bytes
     * @param daemonId    its id in the daemon network, 0 to {@value #MAX_DAEMON_ID}
     * @param incarnation grows across restarts (ring ids and view ids never repeat), positive
     * @param clustered   one of a daemon network rather than a ring of one
     * @param seed        the seed of all the engine's randomness
     */
    public record Identity(String daemonName, int daemonId, long incarnation, boolean clustered, long seed) {
        public Identity {
            Objects.requireNonNull(daemonName, "name");
            Names.checkUser(daemonName, 32);
            if (daemonId < 0 || daemonId > MAX_DAEMON_ID) {
                throw new IllegalArgumentException("daemonId must be 0 to " + MAX_DAEMON_ID + ", was " + daemonId);
            }
            positive(incarnation, "incarnation");
        }
    }

    /**
     * What one session may do and hold; every bound positive.
     *
     * @param maxMessageBytes       the largest message payload
     * @param maxGroupNameBytes     the longest group name
     * @param maxPrivateNameBytes   the longest user part of a private name
     * @param maxGroupsPerMessage   the most groups one multicast names
     * @param maxSessions           the most sessions at once
     * @param sessionBufferBytesMax the bound of one session's buffer, at least 1024
     * @param sendWindowMessages    multicasts a session may have outstanding (see {@link #sendWindowMessages()})
     * @param sendWindowBytes       payload bytes of a session's multicasts taken and not yet ordered before the
     *                              daemon holds its credits and stops reading it (see {@link #sendWindowBytes()})
     * @param slowConsumerPolicy    what happens at the buffer's bound
     */
    public record SessionLimits(int maxMessageBytes, int maxGroupNameBytes, int maxPrivateNameBytes,
            int maxGroupsPerMessage, int maxSessions, long sessionBufferBytesMax, int sendWindowMessages,
            long sendWindowBytes, SlowConsumerPolicy slowConsumerPolicy) {
        public SessionLimits {
            positive(maxMessageBytes, "maxMessageBytes");
            positive(maxGroupNameBytes, "maxGroupNameBytes");
            positive(maxPrivateNameBytes, "maxPrivateNameBytes");
            positive(maxGroupsPerMessage, "maxGroupsPerMessage");
            positive(maxSessions, "maxSessions");
            if (sessionBufferBytesMax < 1024) {
                throw new IllegalArgumentException("sessionBufferBytesMax must be at least 1024, was "
                        + sessionBufferBytesMax);
            }
            positive(sendWindowMessages, "sendWindowMessages");
            positive(sendWindowBytes, "sendWindowBytes");
            Objects.requireNonNull(slowConsumerPolicy, "policy");
        }
    }

    /**
     * The membership timeouts, which constrain each other: the token retransmit interval below the
     * token loss timeout, the join interval below the consensus timeout, the token hold below the
     * retransmit interval.
     *
     * @param tokenLossTimeoutNanos no token for this long: the token is lost
     * @param tokenRetransmitNanos  the last token (or commit token) is sent again after this long
     * @param joinIntervalNanos     joins are repeated this often while gathering
     * @param consensusTimeoutNanos peers that sent no join for this long are counted failed
     * @param mergeDetectNanos      beacon interval
     * @param tokenHoldNanos        an idle representative holds the token this long
     * @param leaveTimeoutNanos     the longest a graceful stop waits; 0 for five times the token loss timeout
     * @param rotationMinNanos      under light traffic the token goes round at most once in this long; 0 to
     *                              retransmit interval (exclusive), 0 for unpaced (see {@link #rotationMinNanos()})
     */
    public record TotemTimeouts(long tokenLossTimeoutNanos, long tokenRetransmitNanos, long joinIntervalNanos,
            long consensusTimeoutNanos, long mergeDetectNanos, long tokenHoldNanos, long leaveTimeoutNanos,
            long rotationMinNanos) {
        public TotemTimeouts {
            positive(tokenLossTimeoutNanos, "tokenLossTimeoutNanos");
            positive(tokenRetransmitNanos, "tokenRetransmitNanos");
            positive(joinIntervalNanos, "joinIntervalNanos");
            positive(consensusTimeoutNanos, "consensusTimeoutNanos");
            positive(mergeDetectNanos, "mergeDetectNanos");
            positive(tokenHoldNanos, "tokenHoldNanos");
            if (leaveTimeoutNanos < 0) {
                throw new IllegalArgumentException("leaveTimeoutNanos must be positive (or 0 for the default), was "
                        + leaveTimeoutNanos);
            }
            if (tokenRetransmitNanos >= tokenLossTimeoutNanos) {
                throw new IllegalArgumentException("tokenRetransmitNanos must be below tokenLossTimeoutNanos");
            }
            if (joinIntervalNanos >= consensusTimeoutNanos) {
                throw new IllegalArgumentException("joinIntervalNanos must be below consensusTimeoutNanos");
            }
            if (tokenHoldNanos >= tokenRetransmitNanos) {
                throw new IllegalArgumentException("tokenHoldNanos must be below tokenRetransmitNanos");
            }
            if (rotationMinNanos < 0 || rotationMinNanos >= tokenRetransmitNanos) {
                throw new IllegalArgumentException("rotationMinNanos must be in [0, tokenRetransmitNanos), was "
                        + rotationMinNanos);
            }
        }
    }

    /**
     * Flow control and the ring's messages.
     *
     * @param globalWindowMessages   messages per token rotation over all daemons, positive
     * @param personalWindowMessages messages per visit, positive and at most the global window
     * @param acceleratedMessages    messages of a visit sent after the token, 0 or more
     * @param initialSequence        the sequence number before every ring's first message
     * @param maxDatagramBytes       the largest ring datagram, {@value #MIN_MAX_DATAGRAM_BYTES} to 65,507
     */
    public record TotemWindows(int globalWindowMessages, int personalWindowMessages, int acceleratedMessages,
            long initialSequence, int maxDatagramBytes) {
        public TotemWindows {
            positive(globalWindowMessages, "globalWindowMessages");
            positive(personalWindowMessages, "personalWindowMessages");
            if (personalWindowMessages > globalWindowMessages) {
                throw new IllegalArgumentException("personalWindowMessages " + personalWindowMessages
                        + " is over globalWindowMessages " + globalWindowMessages);
            }
            if (acceleratedMessages < 0) {
                throw new IllegalArgumentException("acceleratedMessages must be 0 or more: " + acceleratedMessages);
            }
            if (maxDatagramBytes < MIN_MAX_DATAGRAM_BYTES || maxDatagramBytes > 65_507) {
                throw new IllegalArgumentException("maxDatagramBytes must be " + MIN_MAX_DATAGRAM_BYTES
                        + " to 65507, was " + maxDatagramBytes);
            }
        }
    }

    private static final EngineConfig DEFAULTS = new EngineConfig(
            new Identity("localhost", 0, 1, false, 0),
            new SessionLimits(DEFAULT_MAX_MESSAGE_BYTES, 32, 20, 128, 10_000, 16L << 20, 2048, 4L << 20,
                    SlowConsumerPolicy.DISCONNECT),
            new TotemTimeouts(400_000_000L, 30_000_000L, 20_000_000L, 200_000_000L, 100_000_000L, 1_000_000L, 0,
                    500_000L),
            new TotemWindows(256, 64, 8, 0, DEFAULT_MAX_DATAGRAM_BYTES), io.consort.core.WireVersions.SUPPORTED);

    private final Identity identity;
    private final SessionLimits limits;
    private final TotemTimeouts timeouts;
    private final TotemWindows windows;
    private final io.consort.core.WireVersions wireVersions;

    private EngineConfig(Identity identity, SessionLimits limits, TotemTimeouts timeouts, TotemWindows windows,
            io.consort.core.WireVersions wireVersions) {
        this.wireVersions = Objects.requireNonNull(wireVersions, "wireVersions");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.windows = Objects.requireNonNull(windows, "windows");
    }

    /** The defaults: daemon "localhost", 1 MiB messages, 32-byte group names, 16 MiB per session buffer. */
    public static EngineConfig defaults() {
        return DEFAULTS;
    }

    /** This configuration with {@code identity}. */
    public EngineConfig withIdentity(Identity identity) {
        return new EngineConfig(identity, limits, timeouts, windows, wireVersions);
    }

    /** This configuration with {@code limits}. */
    public EngineConfig withLimits(SessionLimits limits) {
        return new EngineConfig(identity, limits, timeouts, windows, wireVersions);
    }

    /** This configuration with {@code timeouts}. */
    public EngineConfig withTimeouts(TotemTimeouts timeouts) {
        return new EngineConfig(identity, limits, timeouts, windows, wireVersions);
    }

    /** This configuration with {@code windows}. */
    public EngineConfig withWindows(TotemWindows windows) {
        return new EngineConfig(identity, limits, timeouts, windows, wireVersions);
    }

    public Identity identity() {
        return identity;
    }

    public SessionLimits limits() {
        return limits;
    }

    public TotemTimeouts timeouts() {
        return timeouts;
    }

    public TotemWindows windows() {
        return windows;
    }

    /** The name of this daemon, the second part of its sessions' private names. */
    public String daemonName() {
        return identity.daemonName();
    }

    /** A number that differs at every start of this daemon, so that ids never repeat across restarts. */
    public long incarnation() {
        return identity.incarnation();
    }

    /** The largest payload a message may carry, in bytes. */
    public int maxMessageBytes() {
        return limits.maxMessageBytes();
    }

    /** The longest group name, in bytes. */
    public int maxGroupNameBytes() {
        return limits.maxGroupNameBytes();
    }

    /** The longest user part of a private name, in bytes. */
    public int maxPrivateNameBytes() {
        return limits.maxPrivateNameBytes();
    }

    /** The most groups one multicast may name. */
    public int maxGroupsPerMessage() {
        return limits.maxGroupsPerMessage();
    }

    /** The most sessions this daemon serves at once. */
    public int maxSessions() {
        return limits.maxSessions();
    }

    /** The bound of one session's daemon-side buffer of undelivered events, in bytes. */
    public long sessionBufferBytesMax() {
        return limits.sessionBufferBytesMax();
    }

    /**
     * How many multicasts a session may have outstanding before the daemon has accepted them. A credit comes
     * back when the message is ordered, so one sender carries at most this many per ordering latency: at 256 a
     * sender on a three-daemon ring was held to about 46 000 msgs/s by the window alone, and a steady rate that
     * met a few milliseconds of queueing fell well below its offered load (docs/BENCHMARKS.md). Large messages
     * are held back by {@link #sendWindowBytes()} instead.
     */
    public int sendWindowMessages() {
        return limits.sendWindowMessages();
    }

    /**
     * The payload bytes a session may have accepted and not yet ordered before the daemon stops returning its
     * send credits and stops reading its connection ({@link Output.PauseReading}): the window for large
     * messages, so that 2048 credits of 1 MiB messages are not 2 GiB queued at the daemon. Both resume as
     * soon as ordering brings the session back under the bound.
     */
    public long sendWindowBytes() {
        return limits.sendWindowBytes();
    }

    /**
     * Sets {@link #sendWindowBytes()}. A message larger than the window still goes (credits are held only
     * while more than the window is unordered, and ordering it empties the window).
     */
    public EngineConfig withSendWindowBytes(long bytes) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(),
                limits.maxPrivateNameBytes(), limits.maxGroupsPerMessage(), limits.maxSessions(),
                limits.sessionBufferBytesMax(), limits.sendWindowMessages(), bytes, limits.slowConsumerPolicy()));
    }

    /** What to do with a session whose buffer reaches its bound. */
    public SlowConsumerPolicy slowConsumerPolicy() {
        return limits.slowConsumerPolicy();
    }

    /** The seed of all the engine's randomness. */
    public long seed() {
        return identity.seed();
    }

    /**
     * Whether this daemon is one of a daemon network (the Totem ring) rather than a ring of one.
     * A clustered engine talks to its peers through datagram outputs and needs ticks.
     */
    public boolean clustered() {
        return identity.clustered();
    }

    /** This daemon's id in the daemon network, 0 to {@value #MAX_DAEMON_ID}; unique among the daemons. */
    public int daemonId() {
        return identity.daemonId();
    }

    /** With no token for this long, a daemon declares the token lost and starts a membership change. */
    public long tokenLossTimeoutNanos() {
        return timeouts.tokenLossTimeoutNanos();
    }

    /** A daemon sends its last token (or commit token) again after this long without seeing it come back. */
    public long tokenRetransmitNanos() {
        return timeouts.tokenRetransmitNanos();
    }

    /** While gathering, a daemon repeats its join message this often, and waits this long before acting on consensus. */
    public long joinIntervalNanos() {
        return timeouts.joinIntervalNanos();
    }

    /** A gathering daemon gives up on peers that have not agreed with it after this long and counts them failed. */
    public long consensusTimeoutNanos() {
        return timeouts.consensusTimeoutNanos();
    }

    /** The ring's representative announces its ring this often, so that rings which can see each other merge. */
    public long mergeDetectNanos() {
        return timeouts.mergeDetectNanos();
    }

    /** The representative holds an idle token this long before passing it on, to save a spinning token. */
    public long tokenHoldNanos() {
        return timeouts.tokenHoldNanos();
    }

    /**
     * The shortest token rotation under light traffic: the representative holds a token that came round
     * sooner, unless the ring has a visit's worth of messages queued ({@link #personalWindowMessages()}).
     * It bounds the CPU the token costs every daemon when a few messages at a time keep it moving; the price
     * is at most this much more latency per rotation at light load. 0 turns pacing off.
     */
    public long rotationMinNanos() {
        return timeouts.rotationMinNanos();
    }

    /** Sets {@link #rotationMinNanos()}: 0 (off) up to below the token retransmit interval. */
    public EngineConfig withRotationMinNanos(long nanos) {
        return withTimeouts(new TotemTimeouts(timeouts.tokenLossTimeoutNanos(), timeouts.tokenRetransmitNanos(),
                timeouts.joinIntervalNanos(), timeouts.consensusTimeoutNanos(), timeouts.mergeDetectNanos(),
                timeouts.tokenHoldNanos(), timeouts.leaveTimeoutNanos(), nanos));
    }

    /**
     * The longest a graceful stop ({@link Engine#shutdown}) of a daemon of a network waits for its
     * sessions' departures to reach every daemon and for the others to take note of its leave;
     * after it the daemon stops anyway, and the others find out by token loss, as after a crash.
     * By default five times {@link #tokenLossTimeoutNanos()}: a stop that meets a membership change
     * must outlast it (a token loss, a consensus timeout, the new ring's group exchange) and then
     * get its sessions' departures around once; twice the token-loss timeout was too short for that
     * on a loaded machine, and the others then saw a crash.
     */
    public long leaveTimeoutNanos() {
        return timeouts.leaveTimeoutNanos() > 0 ? timeouts.leaveTimeoutNanos() : 5 * timeouts.tokenLossTimeoutNanos();
    }

    /** Sets {@link #leaveTimeoutNanos()}. */
    public EngineConfig withLeaveTimeoutNanos(long nanos) {
        positive(nanos, "leaveTimeoutNanos"); // the record reads 0 as "the default"; a caller sets a real bound
        return withTimeouts(new TotemTimeouts(timeouts.tokenLossTimeoutNanos(), timeouts.tokenRetransmitNanos(),
                timeouts.joinIntervalNanos(), timeouts.consensusTimeoutNanos(), timeouts.mergeDetectNanos(),
                timeouts.tokenHoldNanos(), nanos, timeouts.rotationMinNanos()));
    }

    /** The most messages (new and retransmitted) all daemons together multicast in one token rotation. */
    public int globalWindowMessages() {
        return windows.globalWindowMessages();
    }

    /** The most messages one daemon multicasts in one visit of the token. */
    public int personalWindowMessages() {
        return windows.personalWindowMessages();
    }

    /**
     * Accelerated ring: how many of the messages of one visit the token holder multicasts after it
     * has passed the token on (Totem / Spread's accelerated ring), so the next holder can start
     * while they are in flight. 0 turns it off: every multicast of a visit goes before the token.
     */
    public int acceleratedMessages() {
        return windows.acceleratedMessages();
    }

    /** Sets {@link #acceleratedMessages()}: 0 (off) up to the personal window. */
    public EngineConfig withAcceleratedMessages(int acceleratedMessages) {
        return withWindows(new TotemWindows(windows.globalWindowMessages(), windows.personalWindowMessages(),
                acceleratedMessages, windows.initialSequence(), windows.maxDatagramBytes()));
    }

    /** The sequence number before the first message of every ring; tests start near the wrap point. */
    public long initialSequence() {
        return windows.initialSequence();
    }

    /**
     * The largest datagram the engine of a daemon network sends for a ring message, in bytes: a
     * message larger than fits is split into fragments of this size ({@code FragmentingRing}).
     * Drivers derive it from the network's MTU less their own headers.
     */
    public int maxDatagramBytes() {
        return windows.maxDatagramBytes();
    }

    /** Sets {@link #maxDatagramBytes()}: {@value #MIN_MAX_DATAGRAM_BYTES} to 65,507. */
    public EngineConfig withMaxDatagramBytes(int bytes) {
        return withWindows(new TotemWindows(windows.globalWindowMessages(), windows.personalWindowMessages(),
                windows.acceleratedMessages(), windows.initialSequence(), bytes));
    }

    /**
     * The ring wire versions this daemon speaks and announces ({@link io.consort.core.WireVersions}):
     * by default every version this code speaks; fewer holds it at an older one (during an upgrade,
     * or to test one).
     */
    public io.consort.core.WireVersions wireVersions() {
        return wireVersions;
    }

    /** Sets {@link #wireVersions()}: versions 2 up to {@code max}, which must be 2 or 3. */
    public EngineConfig withWireVersionMax(int max) {
        return new EngineConfig(identity, limits, timeouts, windows, io.consort.core.WireVersions.upTo(max));
    }

    /** Sets {@link #wireVersions()}: a range within the versions this code speaks. */
    public EngineConfig withWireVersions(io.consort.core.WireVersions versions) {
        io.consort.core.WireVersions all = io.consort.core.WireVersions.SUPPORTED;
        if (versions.min() < all.min() || versions.max() > all.max()) {
            throw new IllegalArgumentException("wire versions " + versions + " are not all ones this daemon speaks ("
                    + all + ")");
        }
        return new EngineConfig(identity, limits, timeouts, windows, versions);
    }

    /** Sets {@link #clustered()}. */
    public EngineConfig withClustered(boolean clustered) {
        return withIdentity(new Identity(identity.daemonName(), identity.daemonId(), identity.incarnation(),
                clustered, identity.seed()));
    }

    /** Sets {@link #daemonId()}. */
    public EngineConfig withDaemonId(int id) {
        return withIdentity(new Identity(identity.daemonName(), id, identity.incarnation(), identity.clustered(),
                identity.seed()));
    }

    /**
     * Sets the membership timeouts together, since they constrain each other (see {@link TotemTimeouts});
     * a positional shorthand kept for the configuration readers, {@link #withTimeouts(TotemTimeouts)} names them.
     */
    public EngineConfig withTimeouts(long tokenLossTimeoutNanos, long tokenRetransmitNanos, long joinIntervalNanos,
            long consensusTimeoutNanos, long mergeDetectNanos, long tokenHoldNanos) {
        return withTimeouts(new TotemTimeouts(tokenLossTimeoutNanos, tokenRetransmitNanos, joinIntervalNanos,
                consensusTimeoutNanos, mergeDetectNanos, tokenHoldNanos, timeouts.leaveTimeoutNanos(),
                Math.min(timeouts.rotationMinNanos(), tokenRetransmitNanos - 1)));
    }

    /** Sets the flow control windows; the personal window is at most the global one. */
    public EngineConfig withWindows(int globalWindowMessages, int personalWindowMessages) {
        return withWindows(new TotemWindows(globalWindowMessages, personalWindowMessages,
                windows.acceleratedMessages(), windows.initialSequence(), windows.maxDatagramBytes()));
    }

    /** Sets {@link #initialSequence()}; any value, sequence numbers compare modulo 2^64. */
    public EngineConfig withInitialSequence(long sequence) {
        return withWindows(new TotemWindows(windows.globalWindowMessages(), windows.personalWindowMessages(),
                windows.acceleratedMessages(), sequence, windows.maxDatagramBytes()));
    }

    /** Sets {@link #daemonName()}: printable ASCII, no '#', at most 32 bytes. */
    public EngineConfig withDaemonName(String name) {
        return withIdentity(new Identity(name, identity.daemonId(), identity.incarnation(), identity.clustered(),
                identity.seed()));
    }

    /** Sets {@link #incarnation()}; drivers pass something that grows across restarts, such as the start time. */
    public EngineConfig withIncarnation(long incarnation) {
        return withIdentity(new Identity(identity.daemonName(), identity.daemonId(), incarnation,
                identity.clustered(), identity.seed()));
    }

    /** Sets {@link #maxMessageBytes()}. */
    public EngineConfig withMaxMessageBytes(int bytes) {
        return withLimits(new SessionLimits(bytes, limits.maxGroupNameBytes(), limits.maxPrivateNameBytes(),
                limits.maxGroupsPerMessage(), limits.maxSessions(), limits.sessionBufferBytesMax(),
                limits.sendWindowMessages(), limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #maxGroupNameBytes()}. */
    public EngineConfig withMaxGroupNameBytes(int bytes) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), bytes, limits.maxPrivateNameBytes(),
                limits.maxGroupsPerMessage(), limits.maxSessions(), limits.sessionBufferBytesMax(),
                limits.sendWindowMessages(), limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #maxPrivateNameBytes()}. */
    public EngineConfig withMaxPrivateNameBytes(int bytes) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(), bytes,
                limits.maxGroupsPerMessage(), limits.maxSessions(), limits.sessionBufferBytesMax(),
                limits.sendWindowMessages(), limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #maxGroupsPerMessage()}. */
    public EngineConfig withMaxGroupsPerMessage(int groups) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(),
                limits.maxPrivateNameBytes(), groups, limits.maxSessions(), limits.sessionBufferBytesMax(),
                limits.sendWindowMessages(), limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #maxSessions()}. */
    public EngineConfig withMaxSessions(int sessions) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(),
                limits.maxPrivateNameBytes(), limits.maxGroupsPerMessage(), sessions, limits.sessionBufferBytesMax(),
                limits.sendWindowMessages(), limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #sessionBufferBytesMax()}; at least 1024. */
    public EngineConfig withSessionBufferBytesMax(long bytes) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(),
                limits.maxPrivateNameBytes(), limits.maxGroupsPerMessage(), limits.maxSessions(), bytes,
                limits.sendWindowMessages(), limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #sendWindowMessages()}. */
    public EngineConfig withSendWindowMessages(int messages) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(),
                limits.maxPrivateNameBytes(), limits.maxGroupsPerMessage(), limits.maxSessions(),
                limits.sessionBufferBytesMax(), messages, limits.sendWindowBytes(), limits.slowConsumerPolicy()));
    }

    /** Sets {@link #slowConsumerPolicy()}. */
    public EngineConfig withSlowConsumerPolicy(SlowConsumerPolicy policy) {
        return withLimits(new SessionLimits(limits.maxMessageBytes(), limits.maxGroupNameBytes(),
                limits.maxPrivateNameBytes(), limits.maxGroupsPerMessage(), limits.maxSessions(),
                limits.sessionBufferBytesMax(), limits.sendWindowMessages(), limits.sendWindowBytes(), policy));
    }

    /** Sets {@link #seed()}. */
    public EngineConfig withSeed(long seed) {
        return withIdentity(new Identity(identity.daemonName(), identity.daemonId(), identity.incarnation(),
                identity.clustered(), seed));
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    @Override
    public String toString() {
        return "EngineConfig{" + identity + ", " + limits + ", " + timeouts + " (leave " + leaveTimeoutNanos() + "), "
                + windows + ", wire versions " + wireVersions + "}";
    }
}
