package io.consort.core;

import io.consort.core.groups.GroupExchange;
import io.consort.core.groups.GroupTable;
import io.consort.core.membership.TotemRing;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.FragmentingRing;
import io.consort.core.ring.OrderedSink;
import io.consort.core.ring.Ring;
import io.consort.core.ring.SingleDaemonRing;
import io.consort.core.session.ClientSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One daemon's engine: a pure state machine. Drivers call an input method, then take the outputs
 * with {@link #takeOutputs()} and perform them in order. No threads, sockets, clocks or
 * unseeded randomness live here, so the same engine runs in the simulator, embedded in a JVM
 * and in consortd.
 *
 * <pre>{@code
 * Engine engine = new Engine(EngineConfig.defaults());
 * engine.connect(1, "alice", now);
 * engine.subscribe(1, 1, StreamFilter.all(), now);
 * engine.credit(1, 1, 100, now);
 * engine.join(1, 7, "chat", now);
 * for (Output o : engine.takeOutputs()) { driver.perform(o); }
 * }</pre>
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
    private final GroupStateMachine stateMachine;
    private final OrderedSink sink = new OrderedSink() {
        @Override
        public void deliver(long configurationId, long sequence, AgreedItem item) {
            stateMachine.onOrdered(configurationId, sequence, item);
        }

        @Override
        public void transitional(long oldConfigurationId, long newConfigurationId, List<Integer> daemons) {
            change.onTransitional(oldConfigurationId, newConfigurationId, daemons);
        }

        @Override
        public void regular(long configurationId, List<Integer> daemons) {
            change.onRegular(configurationId, daemons);
        }
    };
    private long timerSetFor = Long.MAX_VALUE;
    /** {@link #shutdown} was called: no new sessions; the ring is leaving. */
    private boolean shuttingDown;

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
        this.policy = new BufferPolicy(config, this::closeForCause);
        this.change = new ConfigurationChange(ring instanceof SingleDaemonRing,
                new GroupExchange(config.daemonId(), config.daemonName(), config.seed()), groups, sessions, policy,
                ring, out);
        this.stateMachine = new GroupStateMachine(groups, sessions, requests, policy, change, out);
    }

    public EngineConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- inputs

    /** A client completed its handshake on connection {@code sessionId}, asking to be {@code user}. */
    public void connect(long sessionId, String user, long nowNanos) {
        Objects.requireNonNull(user, "user");
        if (sessions.hasId(sessionId)) {
            throw new IllegalArgumentException("session id " + sessionId + " is already in use");
        }
        Output.CloseSession refusal = Admission.refusal(sessionId, user, config, sessions, shuttingDown);
        if (refusal != null) {
            out.accept(refusal);
            return;
        }
        String name = Names.privateName(user, config.daemonName());
        ClientSession s = new ClientSession(sessionId, name, config.sendWindowMessages());
        sessions.add(s);
        out.accept(new Output.SessionAccepted(sessionId, name, config.sendWindowMessages(),
                config.maxMessageBytes()));
    }

    /** The session opens stream {@code streamId} with {@code filter}; it receives nothing until it grants credits. */
    public void subscribe(long sessionId, int streamId, StreamFilter filter, long nowNanos) {
        ClientSession s = sessions.get(sessionId);
        if (s == null) {
            return;
        }
        try {
            if (filter.group() != null) {
                Names.checkDestination(filter.group(), config.maxGroupNameBytes());
            }
            s.subscribe(streamId, filter);
        } catch (ConsortException e) {
            closeForCause(s, e.code(), e.getMessage());
        }
        step(nowNanos);
    }

    /** The session closes stream {@code streamId}. */
    public void cancel(long sessionId, int streamId, long nowNanos) {
        ClientSession s = sessions.get(sessionId);
        if (s != null) {
            s.cancel(streamId);
            step(nowNanos);
        }
    }

    /** The session's subscriber on stream {@code streamId} asked for {@code credits} more events. */
    public void credit(long sessionId, int streamId, long credits, long nowNanos) {
        ClientSession s = sessions.get(sessionId);
        if (s == null) {
            return;
        }
        try {
            s.credit(streamId, credits, out);
        } catch (ConsortException e) {
            closeForCause(s, e.code(), e.getMessage());
        }
        step(nowNanos);
    }

    /** The driver's connection to the session became writable or stopped being so. */
    public void writable(long sessionId, boolean writable, long nowNanos) {
        ClientSession s = sessions.get(sessionId);
        if (s != null) {
            s.writable(writable, out);
            step(nowNanos);
        }
    }

    /** The session asks to join {@code group}; answered by {@link Output.RequestDone} once its view is installed. */
    public void join(long sessionId, int requestId, String group, long nowNanos) {
        membershipRequest(sessionId, requestId, group, nowNanos, name -> new AgreedItem.Join(name, group));
    }

    /** The session asks to leave {@code group}. */
    public void leave(long sessionId, int requestId, String group, long nowNanos) {
        membershipRequest(sessionId, requestId, group, nowNanos, name -> new AgreedItem.Leave(name, group));
    }

    /** Checks the group name, then orders the session's join or leave; a bad name fails only the request. */
    private void membershipRequest(long sessionId, int requestId, String group, long nowNanos,
            java.util.function.Function<String, AgreedItem> item) {
        ClientSession s = sessions.get(sessionId);
        if (s == null) {
            return;
        }
        try {
            Names.checkGroup(group, config.maxGroupNameBytes());
        } catch (ConsortException e) {
            out.accept(new Output.RequestFailed(sessionId, requestId, e.code(), e.getMessage()));
            return;
        }
        submit(s, item.apply(s.privateName()), new RequestTracker.Pending(requestId, false, 0));
        step(nowNanos);
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
        ClientSession s = sessions.get(sessionId);
        if (s == null) {
            return;
        }
        try {
            s.takeSendCredit();
        } catch (ConsortException e) {
            closeForCause(s, e.code(), e.getMessage());
            step(nowNanos);
            return;
        }
        List<String> groupList;
        try {
            groupList = Admission.checkMulticast(config, destinations, type, payload);
        } catch (ConsortException e) {
            s.refusedMulticast();
            out.accept(new Output.RequestFailed(sessionId, requestId, e.code(), e.getMessage()));
            return;
        }
        submit(s, new AgreedItem.Data(s.privateName(), groupList, level, type, selfDiscard, payload, originBits),
                new RequestTracker.Pending(requestId, true, payload.length));
        s.submittedMulticast(payload.length);
        policy.readingWindow(s, out);
        step(nowNanos);
    }

    /**
     * The session is gone. A clean disconnect (the client said goodbye) shows as LEAVE to the
     * other members; a lost connection as DISCONNECT.
     */
    public void disconnect(long sessionId, boolean clean, long nowNanos) {
        ClientSession s = sessions.get(sessionId);
        if (s != null) {
            remove(s, clean);
            step(nowNanos);
        }
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
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        for (ClientSession s : new ArrayList<>(sessions.all())) {
            out.accept(new Output.CloseSession(s.id(), ErrorCode.DAEMON_SHUTDOWN,
                    "daemon " + config.daemonName() + " is shutting down"));
            remove(s, true);
        }
        ring.leave(nowNanos + config.leaveTimeoutNanos());
        step(nowNanos);
    }

    /** Whether a {@link #shutdown} is complete: the driver may stop the engine and close the network now. */
    public boolean stopped() {
        return shuttingDown && ring.left();
    }

    /**
     * A datagram from daemon {@code fromDaemon}. Malformed or unexpected datagrams are counted and
     * dropped; this never throws for their content.
     */
    public void receiveDatagram(int fromDaemon, byte[] datagram, long nowNanos) {
        Objects.requireNonNull(datagram, "datagram");
        ring.receive(fromDaemon, datagram, nowNanos);
        step(nowNanos);
    }

    /** The timer asked for with {@link Output.SetTimer} fired (or the driver starts the engine). */
    public void tick(long nowNanos) {
        if (nowNanos >= timerSetFor) {
            timerSetFor = Long.MAX_VALUE;
        }
        step(nowNanos);
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

    // ---------------------------------------------------------------- internals

    private void submit(ClientSession s, AgreedItem item, RequestTracker.Pending pending) {
        requests.submitted(s.privateName(), pending);
        ring.submit(item);
    }

    private void closeForCause(ClientSession s, ErrorCode code, String reason) {
        out.accept(new Output.CloseSession(s.id(), code, reason));
        remove(s, false);
    }

    private void remove(ClientSession s, boolean clean) {
        sessions.remove(s);
        policy.forget(s);
        ring.submit(new AgreedItem.Disconnect(s.privateName(), clean));
    }

    /** Runs the agreed stream to its end, applies the slow-consumer policy, and reports send credits. */
    private void step(long nowNanos) {
        // Delivering may submit (a group state, a slow session's disconnect): let the ring act on
        // it at once, until nothing more comes out.
        do {
            ring.tick(nowNanos);
        } while (ring.drainTo(sink) > 0);
        ring.takeOutputs(out);
        policy.reportCredits(out);
        long deadline = ring.nextDeadlineNanos();
        if (deadline != Long.MAX_VALUE && (deadline != timerSetFor || deadline <= nowNanos)) {
            timerSetFor = deadline;
            out.accept(new Output.SetTimer(deadline));
        }
        assert checkInvariants();
    }

    /** Each part's bookkeeping after an input, fail-stop (the ring checks its own). */
    private boolean checkInvariants() {
        sessions.checkInvariants();
        policy.checkInvariants(sessions);
        return true;
    }
}
