package io.consort.core;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Immutable configuration of one daemon's engine. Every {@code with...} call returns a copy and
 * validates the value it sets.
 *
 * <pre>{@code
 * EngineConfig config = EngineConfig.defaults()
 *         .withDaemonName("d1")
 *         .withMaxMessageBytes(4 << 20)
 *         .withSlowConsumerPolicy(EngineConfig.SlowConsumerPolicy.DISCONNECT);
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

    /** The mutable twin used only while copying; never escapes. */
    private static final class Values implements Cloneable {
        String daemonName = "localhost";
        long incarnation = 1;
        int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        int maxGroupNameBytes = 32;
        int maxPrivateNameBytes = 20;
        int maxGroupsPerMessage = 128;
        int maxSessions = 10_000;
        long sessionBufferBytesMax = 16L << 20;
        int sendWindowMessages = 2048;
        long sendWindowBytes = 4L << 20;
        SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.DISCONNECT;
        long seed;
        boolean clustered;
        int daemonId;
        long tokenLossTimeoutNanos = 400_000_000L;
        long tokenRetransmitNanos = 30_000_000L;
        long joinIntervalNanos = 20_000_000L;
        long consensusTimeoutNanos = 200_000_000L;
        long mergeDetectNanos = 100_000_000L;
        long tokenHoldNanos = 1_000_000L;
        long rotationMinNanos = 500_000L;
        /** 0: five times the token-loss timeout, whatever that is set to. */
        long leaveTimeoutNanos;
        int globalWindowMessages = 256;
        int personalWindowMessages = 64;
        int acceleratedMessages = 8;
        long initialSequence;
        int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;

        @Override
        protected Values clone() {
            try {
                return (Values) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static final EngineConfig DEFAULTS = new EngineConfig(new Values());

    private final Values v;

    private EngineConfig(Values v) {
        this.v = v;
    }

    /** The defaults: daemon "localhost", 1 MiB messages, 32-byte group names, 16 MiB per session buffer. */
    public static EngineConfig defaults() {
        return DEFAULTS;
    }

    private EngineConfig with(Consumer<Values> change) {
        Values copy = v.clone();
        change.accept(copy);
        return new EngineConfig(copy);
    }

    /** The name of this daemon, the second part of its sessions' private names. */
    public String daemonName() {
        return v.daemonName;
    }

    /** A number that differs at every start of this daemon, so that ids never repeat across restarts. */
    public long incarnation() {
        return v.incarnation;
    }

    /** The largest payload a message may carry, in bytes. */
    public int maxMessageBytes() {
        return v.maxMessageBytes;
    }

    /** The longest group name, in bytes. */
    public int maxGroupNameBytes() {
        return v.maxGroupNameBytes;
    }

    /** The longest user part of a private name, in bytes. */
    public int maxPrivateNameBytes() {
        return v.maxPrivateNameBytes;
    }

    /** The most groups one multicast may name. */
    public int maxGroupsPerMessage() {
        return v.maxGroupsPerMessage;
    }

    /** The most sessions this daemon serves at once. */
    public int maxSessions() {
        return v.maxSessions;
    }

    /** The bound of one session's daemon-side buffer of undelivered events, in bytes. */
    public long sessionBufferBytesMax() {
        return v.sessionBufferBytesMax;
    }

    /**
     * How many multicasts a session may have outstanding before the daemon has accepted them. A credit comes
     * back when the message is ordered, so one sender carries at most this many per ordering latency: at 256 a
     * sender on a three-daemon ring was held to about 46 000 msgs/s by the window alone, and a steady rate that
     * met a few milliseconds of queueing fell well below its offered load (docs/BENCHMARKS.md). Large messages
     * are held back by {@link #sendWindowBytes()} instead.
     */
    public int sendWindowMessages() {
        return v.sendWindowMessages;
    }

    /**
     * The payload bytes a session may have accepted and not yet ordered before the daemon stops returning its
     * send credits and stops reading its connection ({@link Output.PauseReading}): the window for large
     * messages, so that 2048 credits of 1 MiB messages are not 2 GiB queued at the daemon. Both resume as
     * soon as ordering brings the session back under the bound.
     */
    public long sendWindowBytes() {
        return v.sendWindowBytes;
    }

    /**
     * Sets {@link #sendWindowBytes()}. A message larger than the window still goes (credits are held only
     * while more than the window is unordered, and ordering it empties the window).
     */
    public EngineConfig withSendWindowBytes(long bytes) {
        positive(bytes, "sendWindowBytes");
        return with(c -> c.sendWindowBytes = bytes);
    }

    /** What to do with a session whose buffer reaches its bound. */
    public SlowConsumerPolicy slowConsumerPolicy() {
        return v.slowConsumerPolicy;
    }

    /** The seed of all the engine's randomness. */
    public long seed() {
        return v.seed;
    }

    /**
     * Whether this daemon is one of a daemon network (the Totem ring) rather than a ring of one.
     * A clustered engine talks to its peers through datagram outputs and needs ticks.
     */
    public boolean clustered() {
        return v.clustered;
    }

    /** This daemon's id in the daemon network, 0 to {@value #MAX_DAEMON_ID}; unique among the daemons. */
    public int daemonId() {
        return v.daemonId;
    }

    /** With no token for this long, a daemon declares the token lost and starts a membership change. */
    public long tokenLossTimeoutNanos() {
        return v.tokenLossTimeoutNanos;
    }

    /** A daemon sends its last token (or commit token) again after this long without seeing it come back. */
    public long tokenRetransmitNanos() {
        return v.tokenRetransmitNanos;
    }

    /** While gathering, a daemon repeats its join message this often, and waits this long before acting on consensus. */
    public long joinIntervalNanos() {
        return v.joinIntervalNanos;
    }

    /** A gathering daemon gives up on peers that have not agreed with it after this long and counts them failed. */
    public long consensusTimeoutNanos() {
        return v.consensusTimeoutNanos;
    }

    /** The ring's representative announces its ring this often, so that rings which can see each other merge. */
    public long mergeDetectNanos() {
        return v.mergeDetectNanos;
    }

    /** The representative holds an idle token this long before passing it on, to save a spinning token. */
    public long tokenHoldNanos() {
        return v.tokenHoldNanos;
    }

    /**
     * The shortest token rotation under light traffic: the representative holds a token that came round
     * sooner, unless the ring has a visit's worth of messages queued ({@link #personalWindowMessages()}).
     * It bounds the CPU the token costs every daemon when a few messages at a time keep it moving; the price
     * is at most this much more latency per rotation at light load. 0 turns pacing off.
     */
    public long rotationMinNanos() {
        return v.rotationMinNanos;
    }

    /** Sets {@link #rotationMinNanos()}: 0 (off) up to below the token retransmit interval. */
    public EngineConfig withRotationMinNanos(long nanos) {
        if (nanos < 0 || nanos >= v.tokenRetransmitNanos) {
            throw new IllegalArgumentException("rotationMinNanos must be in [0, tokenRetransmitNanos), was " + nanos);
        }
        return with(c -> c.rotationMinNanos = nanos);
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
        return v.leaveTimeoutNanos > 0 ? v.leaveTimeoutNanos : 5 * v.tokenLossTimeoutNanos;
    }

    /** Sets {@link #leaveTimeoutNanos()}. */
    public EngineConfig withLeaveTimeoutNanos(long nanos) {
        positive(nanos, "leaveTimeoutNanos");
        return with(c -> c.leaveTimeoutNanos = nanos);
    }

    /** The most messages (new and retransmitted) all daemons together multicast in one token rotation. */
    public int globalWindowMessages() {
        return v.globalWindowMessages;
    }

    /** The most messages one daemon multicasts in one visit of the token. */
    public int personalWindowMessages() {
        return v.personalWindowMessages;
    }

    /**
     * Accelerated ring: how many of the messages of one visit the token holder multicasts after it
     * has passed the token on (Totem / Spread's accelerated ring), so the next holder can start
     * while they are in flight. 0 turns it off: every multicast of a visit goes before the token.
     */
    public int acceleratedMessages() {
        return v.acceleratedMessages;
    }

    /** Sets {@link #acceleratedMessages()}: 0 (off) up to the personal window. */
    public EngineConfig withAcceleratedMessages(int acceleratedMessages) {
        if (acceleratedMessages < 0) {
            throw new IllegalArgumentException("acceleratedMessages must be 0 or more: " + acceleratedMessages);
        }
        return with(c -> c.acceleratedMessages = acceleratedMessages);
    }

    /** The sequence number before the first message of every ring; tests start near the wrap point. */
    public long initialSequence() {
        return v.initialSequence;
    }

    /**
     * The largest datagram the engine of a daemon network sends for a ring message, in bytes: a
     * message larger than fits is split into fragments of this size ({@code FragmentingRing}).
     * Drivers derive it from the network's MTU less their own headers.
     */
    public int maxDatagramBytes() {
        return v.maxDatagramBytes;
    }

    /** Sets {@link #maxDatagramBytes()}: {@value #MIN_MAX_DATAGRAM_BYTES} to 65,507. */
    public EngineConfig withMaxDatagramBytes(int bytes) {
        if (bytes < MIN_MAX_DATAGRAM_BYTES || bytes > 65_507) {
            throw new IllegalArgumentException("maxDatagramBytes must be " + MIN_MAX_DATAGRAM_BYTES
                    + " to 65507, was " + bytes);
        }
        return with(c -> c.maxDatagramBytes = bytes);
    }

    /** Sets {@link #clustered()}. */
    public EngineConfig withClustered(boolean clustered) {
        return with(c -> c.clustered = clustered);
    }

    /** Sets {@link #daemonId()}. */
    public EngineConfig withDaemonId(int id) {
        if (id < 0 || id > MAX_DAEMON_ID) {
            throw new IllegalArgumentException("daemonId must be 0 to " + MAX_DAEMON_ID + ", was " + id);
        }
        return with(c -> c.daemonId = id);
    }

    /**
     * Sets the membership timeouts together, since they constrain each other: the token retransmit
     * interval and the join interval must be below the token loss and consensus timeouts.
     */
    public EngineConfig withTimeouts(long tokenLossTimeoutNanos, long tokenRetransmitNanos, long joinIntervalNanos,
            long consensusTimeoutNanos, long mergeDetectNanos, long tokenHoldNanos) {
        positive(tokenLossTimeoutNanos, "tokenLossTimeoutNanos");
        positive(tokenRetransmitNanos, "tokenRetransmitNanos");
        positive(joinIntervalNanos, "joinIntervalNanos");
        positive(consensusTimeoutNanos, "consensusTimeoutNanos");
        positive(mergeDetectNanos, "mergeDetectNanos");
        positive(tokenHoldNanos, "tokenHoldNanos");
        if (tokenRetransmitNanos >= tokenLossTimeoutNanos) {
            throw new IllegalArgumentException("tokenRetransmitNanos must be below tokenLossTimeoutNanos");
        }
        if (joinIntervalNanos >= consensusTimeoutNanos) {
            throw new IllegalArgumentException("joinIntervalNanos must be below consensusTimeoutNanos");
        }
        if (tokenHoldNanos >= tokenRetransmitNanos) {
            throw new IllegalArgumentException("tokenHoldNanos must be below tokenRetransmitNanos");
        }
        return with(c -> {
            c.tokenLossTimeoutNanos = tokenLossTimeoutNanos;
            c.tokenRetransmitNanos = tokenRetransmitNanos;
            c.joinIntervalNanos = joinIntervalNanos;
            c.consensusTimeoutNanos = consensusTimeoutNanos;
            c.mergeDetectNanos = mergeDetectNanos;
            c.tokenHoldNanos = tokenHoldNanos;
        });
    }

    /** Sets the flow control windows; the personal window is at most the global one. */
    public EngineConfig withWindows(int globalWindowMessages, int personalWindowMessages) {
        positive(globalWindowMessages, "globalWindowMessages");
        positive(personalWindowMessages, "personalWindowMessages");
        if (personalWindowMessages > globalWindowMessages) {
            throw new IllegalArgumentException("personalWindowMessages " + personalWindowMessages
                    + " is over globalWindowMessages " + globalWindowMessages);
        }
        return with(c -> {
            c.globalWindowMessages = globalWindowMessages;
            c.personalWindowMessages = personalWindowMessages;
        });
    }

    /** Sets {@link #initialSequence()}; any value, sequence numbers compare modulo 2^64. */
    public EngineConfig withInitialSequence(long sequence) {
        return with(c -> c.initialSequence = sequence);
    }

    /** Sets {@link #daemonName()}: printable ASCII, no '#', at most 32 bytes. */
    public EngineConfig withDaemonName(String name) {
        Objects.requireNonNull(name, "name");
        Names.checkUser(name, 32);
        return with(c -> c.daemonName = name);
    }

    /** Sets {@link #incarnation()}; drivers pass something that grows across restarts, such as the start time. */
    public EngineConfig withIncarnation(long incarnation) {
        positive(incarnation, "incarnation");
        return with(c -> c.incarnation = incarnation);
    }

    /** Sets {@link #maxMessageBytes()}. */
    public EngineConfig withMaxMessageBytes(int bytes) {
        positive(bytes, "maxMessageBytes");
        return with(c -> c.maxMessageBytes = bytes);
    }

    /** Sets {@link #maxGroupNameBytes()}. */
    public EngineConfig withMaxGroupNameBytes(int bytes) {
        positive(bytes, "maxGroupNameBytes");
        return with(c -> c.maxGroupNameBytes = bytes);
    }

    /** Sets {@link #maxPrivateNameBytes()}. */
    public EngineConfig withMaxPrivateNameBytes(int bytes) {
        positive(bytes, "maxPrivateNameBytes");
        return with(c -> c.maxPrivateNameBytes = bytes);
    }

    /** Sets {@link #maxGroupsPerMessage()}. */
    public EngineConfig withMaxGroupsPerMessage(int groups) {
        positive(groups, "maxGroupsPerMessage");
        return with(c -> c.maxGroupsPerMessage = groups);
    }

    /** Sets {@link #maxSessions()}. */
    public EngineConfig withMaxSessions(int sessions) {
        positive(sessions, "maxSessions");
        return with(c -> c.maxSessions = sessions);
    }

    /** Sets {@link #sessionBufferBytesMax()}; at least 1024. */
    public EngineConfig withSessionBufferBytesMax(long bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("sessionBufferBytesMax must be at least 1024, was " + bytes);
        }
        return with(c -> c.sessionBufferBytesMax = bytes);
    }

    /** Sets {@link #sendWindowMessages()}. */
    public EngineConfig withSendWindowMessages(int messages) {
        positive(messages, "sendWindowMessages");
        return with(c -> c.sendWindowMessages = messages);
    }

    /** Sets {@link #slowConsumerPolicy()}. */
    public EngineConfig withSlowConsumerPolicy(SlowConsumerPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return with(c -> c.slowConsumerPolicy = policy);
    }

    /** Sets {@link #seed()}. */
    public EngineConfig withSeed(long seed) {
        return with(c -> c.seed = seed);
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    @Override
    public String toString() {
        return "EngineConfig{daemonName=" + v.daemonName + ", incarnation=" + v.incarnation
                + ", maxMessageBytes=" + v.maxMessageBytes + ", maxGroupNameBytes=" + v.maxGroupNameBytes
                + ", maxPrivateNameBytes=" + v.maxPrivateNameBytes + ", maxGroupsPerMessage=" + v.maxGroupsPerMessage
                + ", maxSessions=" + v.maxSessions + ", sessionBufferBytesMax=" + v.sessionBufferBytesMax
                + ", sendWindowBytes=" + v.sendWindowBytes
                + ", sendWindowMessages=" + v.sendWindowMessages + ", slowConsumerPolicy=" + v.slowConsumerPolicy
                + ", seed=" + v.seed + ", clustered=" + v.clustered + ", daemonId=" + v.daemonId
                + ", tokenLossTimeoutNanos=" + v.tokenLossTimeoutNanos + ", tokenRetransmitNanos=" + v.tokenRetransmitNanos
                + ", joinIntervalNanos=" + v.joinIntervalNanos + ", consensusTimeoutNanos=" + v.consensusTimeoutNanos
                + ", mergeDetectNanos=" + v.mergeDetectNanos + ", tokenHoldNanos=" + v.tokenHoldNanos
                + ", rotationMinNanos=" + v.rotationMinNanos
                + ", leaveTimeoutNanos=" + leaveTimeoutNanos()
                + ", globalWindowMessages=" + v.globalWindowMessages + ", personalWindowMessages="
                + v.personalWindowMessages + ", acceleratedMessages=" + v.acceleratedMessages + ", initialSequence=" + v.initialSequence
                + ", maxDatagramBytes=" + v.maxDatagramBytes + "}";
    }
}
