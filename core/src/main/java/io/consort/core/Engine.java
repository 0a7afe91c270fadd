package io.consort.core;

import io.consort.core.groups.GroupExchange;
import io.consort.core.groups.GroupTable;
import io.consort.core.membership.TotemRing;
import io.consort.core.ring.FragmentingRing;
import io.consort.core.ring.Ring;
import io.consort.core.ring.SingleDaemonRing;
import io.consort.core.session.ClientSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One daemon's engine: a pure state machine. A driver hands it one {@link Input} at a time with
 * {@link #step}, with the time it read, and performs the outputs it returns in order (etcd-io/raft's
 * Step and Ready in one call). No threads, sockets, clocks or unseeded randomness live here, so the
 * same engine runs in the simulator, embedded in a JVM and in consortd, and a recording of its
 * inputs ({@link InputRecording}) replays to the same outputs.
 *
 * <pre>{@code
 * Engine engine = new Engine(EngineConfig.defaults());
 * engine.step(new Input.Connect(1, "alice"), now);
 * engine.step(new Input.Subscribe(1, 1, StreamFilter.all()), now);
 * engine.step(new Input.Credit(1, 1, 100), now);
 * for (Output o : engine.step(new Input.Join(1, 7, "chat"), now)) { driver.perform(o); }
 * }</pre>
 *
 * <p>The input methods ({@link #connect}, {@link #join}, ...) are shorthands for {@link #step}
 * that leave the outputs for {@link #takeOutputs()}.
 */
public final class Engine {
    private final EngineConfig config;
    private final Ring ring;
    private final GroupTable groups = new GroupTable();
    private final SessionRegistry sessions = new SessionRegistry();
    private final RequestTracker requests = new RequestTracker();
    private final List<Output> outputs = new ArrayList<>();
    private final Consumer<Output> out = outputs::add;
    private final BufferPolicy policy;
    private final ConfigurationChange change;
    private final SessionInputs inputs;
    private final Settling settling;
    private @Nullable InputObserver observer;

    /**
     * An engine for one daemon. With {@link EngineConfig#clustered()} false (the default), a
     * single daemon: a ring of one, needing no datagrams and no timers. With it true, a member of
     * a daemon network running the Totem ring: the driver passes datagrams in with
     * {@link #receiveDatagram}, performs the {@link Output.NetworkOutput}s, and calls
     * {@link #tick} when asked (and once at start).
     */
    public Engine(EngineConfig config) {
        this(config, config.clustered() ? new FragmentingRing(new TotemRing(config), config)
                : new SingleDaemonRing(config.incarnation()));
    }

    /** An engine ordering through {@code ring}. */
    public Engine(EngineConfig config, Ring ring) {
        this.config = Objects.requireNonNull(config, "config");
        this.ring = Objects.requireNonNull(ring, "ring");
        this.policy = new BufferPolicy(config, (s, code, reason) -> inputs().closeForCause(s, code, reason));
        this.change = new ConfigurationChange(ring instanceof SingleDaemonRing,
                new GroupExchange(config.daemonId(), config.daemonName(), config.seed(),
                        FragmentingRing.wholeItemBytesMax(config.maxDatagramBytes())), groups, sessions, policy,
                ring, out);
        GroupStateMachine stateMachine = new GroupStateMachine(groups, sessions, requests, policy, change, out);
        this.inputs = new SessionInputs(config, sessions, requests, policy, ring, out);
        this.settling = new Settling(config, ring, sessions, policy, stateMachine, change, out);
    }

    private SessionInputs inputs() {
        return inputs;
    }

    public EngineConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- inputs

    /**
     * Applies one input with the time the driver read, and returns the outputs it produced (with any
     * left from an input method called before), in the order the driver must perform them.
     */
    public List<Output> step(Input input, long nowNanos) {
        apply(input, nowNanos);
        return takeOutputs();
    }

    /**
     * Tells {@code observer} of every input before the engine applies it (null for none): what
     * {@link InputRecording} writes, so that a run can be replayed through a fresh engine.
     */
    public void observeInputs(@Nullable InputObserver observer) {
        this.observer = observer;
    }

    /** Sees each input the engine applies, with its time, before the engine acts on it. */
    @FunctionalInterface
    public interface InputObserver {
        void input(Input input, long nowNanos);
    }

    private void apply(Input input, long nowNanos) {
        InputObserver o = observer;
        if (o != null) {
            o.input(input, nowNanos);
        }
        if (input instanceof Input.Datagram d) {
            ring.receive(d.fromDaemon(), d.bytes(), nowNanos);
            settle(nowNanos);
        } else if (input instanceof Input.Tick) {
            settling.timerFired(nowNanos);
            settle(nowNanos);
        } else if (input instanceof Input.Shutdown) {
            onShutdown(nowNanos);
        } else if (inputs.apply(input)) {
            settle(nowNanos);
        }
    }

    /** A client completed its handshake on connection {@code sessionId}, asking to be {@code user}. */
    public void connect(long sessionId, String user, long nowNanos) {
        apply(new Input.Connect(sessionId, user), nowNanos);
    }

    /** The session opens stream {@code streamId} with {@code filter}; it receives nothing until it grants credits. */
    public void subscribe(long sessionId, int streamId, StreamFilter filter, long nowNanos) {
        apply(new Input.Subscribe(sessionId, streamId, filter), nowNanos);
    }

    /** The session closes stream {@code streamId}. */
    public void cancel(long sessionId, int streamId, long nowNanos) {
        apply(new Input.Cancel(sessionId, streamId), nowNanos);
    }

    /** The session's subscriber on stream {@code streamId} asked for {@code credits} more events. */
    public void credit(long sessionId, int streamId, long credits, long nowNanos) {
        apply(new Input.Credit(sessionId, streamId, credits), nowNanos);
    }

    /** The driver's connection to the session became writable or stopped being so. */
    public void writable(long sessionId, boolean writable, long nowNanos) {
        apply(new Input.Writable(sessionId, writable), nowNanos);
    }

    /** The session asks to join {@code group}; answered by {@link Output.RequestDone} once its view is installed. */
    public void join(long sessionId, int requestId, String group, long nowNanos) {
        apply(new Input.Join(sessionId, requestId, group), nowNanos);
    }

    /** The session asks to leave {@code group}. */
    public void leave(long sessionId, int requestId, String group, long nowNanos) {
        apply(new Input.Leave(sessionId, requestId, group), nowNanos);
    }

    /**
     * The session multicasts {@code payload} to {@code destinations} (groups or private names) at
     * {@code level}. It spends one send credit, which comes back with a {@link Output.SendCredit}
     * once the daemon accepted the message, or with a {@link Output.RequestFailed}.
     */
    public void multicast(long sessionId, int requestId, List<String> destinations, ServiceLevel level,
            boolean selfDiscard, int type, byte[] payload, long nowNanos) {
        multicast(sessionId, requestId, destinations, level, selfDiscard, type, payload, 0, nowNanos);
    }

    /**
     * {@link #multicast(long, int, List, ServiceLevel, boolean, int, byte[], long)} for a client of
     * another protocol: {@code originBits} (not 0) travel with the message to its receivers
     * unchanged ({@link MessageEvent#originBits()}).
     */
    public void multicast(long sessionId, int requestId, List<String> destinations, ServiceLevel level,
            boolean selfDiscard, int type, byte[] payload, int originBits, long nowNanos) {
        apply(new Input.Multicast(sessionId, requestId, destinations, level.code(), selfDiscard, type, payload,
                originBits), nowNanos);
    }

    /**
     * The session is gone. A clean disconnect (the client said goodbye) shows as LEAVE to the
     * other members; a lost connection as DISCONNECT.
     */
    public void disconnect(long sessionId, boolean clean, long nowNanos) {
        apply(new Input.Disconnect(sessionId, clean), nowNanos);
    }

    /**
     * The daemon is shutting down: every session is told {@link ErrorCode#DAEMON_SHUTDOWN} and
     * closed; the others see each one LEAVE, since nothing crashed. In a daemon network the daemon
     * then leaves the ring gracefully: once its sessions' departures are held by every daemon, it
     * tells the others it leaves, and they form a configuration without it at once. The driver
     * keeps the engine running (datagrams and ticks) until {@link #stopped()}, which comes within
     * {@link EngineConfig#leaveTimeoutNanos()} whatever the network does.
     */
    public void shutdown(long nowNanos) {
        apply(new Input.Shutdown(), nowNanos);
    }

    private void onShutdown(long nowNanos) {
        if (!inputs.shutdown()) {
            return;
        }
        ring.leave(nowNanos + config.leaveTimeoutNanos());
        settle(nowNanos);
    }

    /** Whether a {@link #shutdown} is complete: the driver may stop the engine and close the network now. */
    public boolean stopped() {
        return inputs.shuttingDown() && ring.left();
    }

    /**
     * A datagram from daemon {@code fromDaemon}. Malformed or unexpected datagrams are counted and
     * dropped; this never throws for their content.
     */
    public void receiveDatagram(int fromDaemon, byte[] datagram, long nowNanos) {
        apply(new Input.Datagram(fromDaemon, datagram), nowNanos);
    }

    /** The timer asked for with {@link Output.SetTimer} fired (or the driver starts the engine). */
    public void tick(long nowNanos) {
        apply(new Input.Tick(), nowNanos);
    }

    // ---------------------------------------------------------------- outputs and state

    /** The outputs produced since the last call, in order; the engine forgets them. */
    public List<Output> takeOutputs() {
        if (outputs.isEmpty()) {
            return List.of();
        }
        List<Output> batch = new ArrayList<>(outputs);
        outputs.clear();
        return batch;
    }

    /** The id of the current configuration (0 before a clustered daemon installed its first). */
    public long configurationId() {
        return ring.configurationId();
    }

    /** The wire version this daemon's ring runs at; 0 for a daemon on its own, which sends nothing. */
    public int wireVersion() {
        return ring.wireVersion();
    }

    /** The daemons of the current configuration in ring order; empty for a ring of one or while it changes. */
    public List<Integer> configurationMembers() {
        return ring.members();
    }

    /** Whether group views are settled: no configuration change is under way. */
    public boolean groupsStable() {
        return !change.changing();
    }

    /** How many messages the ring holds, for memory bounds. */
    public int ringHeldMessages() {
        return ring.heldMessages();
    }

    /** A one-line account of the ring's state, for diagnostics. */
    public String ringDescription() {
        return ring + (change.changing() ? " groups changing" : " groups stable");
    }

    /** Datagrams dropped as malformed. */
    public long droppedDatagrams() {
        return ring.droppedDatagrams();
    }

    /** How many sessions are connected. */
    public int sessionCount() {
        return sessions.size();
    }

    /** How many groups have members. */
    public int groupCount() {
        return groups.size();
    }

    /** Bytes buffered for session {@code sessionId}, or 0 if it is not connected. */
    public long bufferedBytes(long sessionId) {
        ClientSession s = sessions.get(sessionId);
        return s == null ? 0 : s.bufferedBytes();
    }

    /** Payload bytes of the session's multicasts taken into the ring and not yet ordered (for tests and metrics). */
    public long unorderedBytes(long sessionId) {
        ClientSession s = sessions.get(sessionId);
        return s == null ? 0 : s.unorderedBytes();
    }

    /** Bytes buffered for all sessions together. */
    public long totalBufferedBytes() {
        return sessions.totalBufferedBytes();
    }

    /** The members of {@code group} in view order, empty if it has none. */
    public List<String> members(String group) {
        GroupTable.Group g = groups.group(group);
        return g == null ? List.of() : g.members();
    }

    /** The engine's figures now. */
    public EngineStats stats() {
        return new EngineStats(sessionCount(), groupCount(), totalBufferedBytes(), ringHeldMessages(),
                droppedDatagrams(), configurationId());
    }

    /** A copy of the engine's counters, for other threads to read. */
    public EngineCounters counters() {
        return counters(ring.counters(), inputs.messagesIn(), inputs.bytesIn());
    }

    /** A copy of {@code ring}'s counters with the engine's per-level totals. */
    private static EngineCounters counters(io.consort.core.ring.RingCounters ring, long[] messagesIn, long[] bytesIn) {
        java.util.Map<GatherCause, Long> gathers = new java.util.EnumMap<>(GatherCause.class);
        for (GatherCause c : GatherCause.values()) {
            gathers.put(c, ring.gathers(c));
        }
        java.util.Map<ServiceLevel, Long> msgs = new java.util.EnumMap<>(ServiceLevel.class);
        java.util.Map<ServiceLevel, Long> bytes = new java.util.EnumMap<>(ServiceLevel.class);
        for (ServiceLevel l : ServiceLevel.values()) {
            msgs.put(l, messagesIn[l.ordinal()]);
            bytes.put(l, bytesIn[l.ordinal()]);
        }
        return new EngineCounters(ring.configurations(), gathers, ring.lastGatherCause(), ring.tokenRotations(),
                ring.tokenRotationNanos(), ring.tokenHolds(), ring.tokenHoldNanos(), ring.retransmitRequests(),
                ring.retransmittedMessages(), ring.backlog(), ring.undecodableDatagrams(), ring.malformedDatagrams(),
                msgs, bytes);
    }

    /** Every connected session's figures, in no particular order. */
    public List<SessionFigures> sessionFigures() {
        List<SessionFigures> all = new ArrayList<>(sessions.size());
        for (ClientSession s : sessions.all()) {
            all.add(new SessionFigures(s.id(), s.privateName(), s.bufferedBytes(), s.unorderedBytes(),
                    groups.groupsOfInJoinOrder(s.privateName())));
        }
        return all;
    }

    /** The current view id of {@code group}, or null if it has no members. */
    public @org.jspecify.annotations.Nullable ViewId viewId(String group) {
        GroupTable.Group g = groups.group(group);
        return g == null ? null : g.viewId();
    }

    /** The groups that have members, by name. */
    public List<String> groupNames() {
        return groups.names();
    }

    // ---------------------------------------------------------------- internals

    private void settle(long nowNanos) {
        settling.settle(nowNanos);
    }
}
