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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    /** A request of a local session waiting for its item to come out of the agreed stream. */
    private record Pending(int requestId, boolean multicast) {
    }

    private final EngineConfig config;
    private final Ring ring;
    private final GroupTable groups = new GroupTable();
    private final Map<Long, ClientSession> sessionsById = new LinkedHashMap<>();
    private final Map<String, ClientSession> sessionsByName = new HashMap<>();
    private final Map<String, ArrayDeque<Pending>> pendingByName = new HashMap<>();
    private final Set<ClientSession> creditsToReport = new LinkedHashSet<>();
    private final Set<ClientSession> overBound = new LinkedHashSet<>();
    private final List<Output> outputs = new ArrayList<>();
    private final Consumer<Output> out = outputs::add;
    private final OrderedSink sink = new OrderedSink() {
        @Override
        public void deliver(long configurationId, long sequence, AgreedItem item) {
            onOrdered(configurationId, sequence, item);
        }

        @Override
        public void transitional(long oldConfigurationId, long newConfigurationId, List<Integer> daemons) {
            onTransitional(oldConfigurationId, newConfigurationId);
        }

        @Override
        public void regular(long configurationId, List<Integer> daemons) {
            onRegular(configurationId, daemons);
        }
    };
    private long lastConfiguration = Long.MIN_VALUE;
    private long lastSequence;
    private long timerSetFor = Long.MAX_VALUE;
    /** {@link #shutdown} was called: no new sessions; the ring is leaving. */
    private boolean shuttingDown;

    /**
     * Where the group layer stands towards configuration changes. A ring of one is always STABLE.
     * In a daemon network, a configuration change moves it to CHANGING (members got their
     * transitional signal) until the group state exchange of the new configuration completes
     * and the NETWORK views are out.
     */
    private enum GroupPhase { STABLE, CHANGING }

    private GroupPhase phase;
    private final GroupExchange exchange;

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
        this.phase = ring instanceof SingleDaemonRing ? GroupPhase.STABLE : GroupPhase.CHANGING;
        this.exchange = new GroupExchange(config.daemonId(), config.daemonName(), config.seed());
    }

    public EngineConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- inputs

    /** A client completed its handshake on connection {@code sessionId}, asking to be {@code user}. */
    public void connect(long sessionId, String user, long nowNanos) {
        Objects.requireNonNull(user, "user");
        if (sessionsById.containsKey(sessionId)) {
            throw new IllegalArgumentException("session id " + sessionId + " is already in use");
        }
        if (shuttingDown) {
            // Its joins would be ordered after the daemon announced its leave, and be lost.
            out.accept(new Output.CloseSession(sessionId, ErrorCode.DAEMON_SHUTDOWN,
                    "daemon " + config.daemonName() + " is shutting down"));
            return;
        }
        try {
            Names.checkUser(user, config.maxPrivateNameBytes());
        } catch (ConsortException e) {
            out.accept(new Output.CloseSession(sessionId, e.code(), e.getMessage()));
            return;
        }
        String name = Names.privateName(user, config.daemonName());
        if (sessionsByName.containsKey(name)) {
            out.accept(new Output.CloseSession(sessionId, ErrorCode.DUPLICATE_PRIVATE_NAME,
                    "private name " + name + " is in use by another session"));
            return;
        }
        if (sessionsById.size() >= config.maxSessions()) {
            out.accept(new Output.CloseSession(sessionId, ErrorCode.TOO_MANY_SESSIONS,
                    "daemon " + config.daemonName() + " serves its maximum of " + config.maxSessions() + " sessions"));
            return;
        }
        ClientSession s = new ClientSession(sessionId, name, config.sendWindowMessages());
        sessionsById.put(sessionId, s);
        sessionsByName.put(name, s);
        out.accept(new Output.SessionAccepted(sessionId, name, config.sendWindowMessages(),
                config.maxMessageBytes()));
    }

    /** The session opens stream {@code streamId} with {@code filter}; it receives nothing until it grants credits. */
    public void subscribe(long sessionId, int streamId, StreamFilter filter, long nowNanos) {
        ClientSession s = sessionsById.get(sessionId);
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
        ClientSession s = sessionsById.get(sessionId);
        if (s != null) {
            s.cancel(streamId);
            step(nowNanos);
        }
    }

    /** The session's subscriber on stream {@code streamId} asked for {@code credits} more events. */
    public void credit(long sessionId, int streamId, long credits, long nowNanos) {
        ClientSession s = sessionsById.get(sessionId);
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
        ClientSession s = sessionsById.get(sessionId);
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
        ClientSession s = sessionsById.get(sessionId);
        if (s == null) {
            return;
        }
        try {
            Names.checkGroup(group, config.maxGroupNameBytes());
        } catch (ConsortException e) {
            out.accept(new Output.RequestFailed(sessionId, requestId, e.code(), e.getMessage()));
            return;
        }
        submit(s, item.apply(s.privateName()), new Pending(requestId, false));
        step(nowNanos);
    }

    /**
     * The session multicasts {@code payload} to {@code destinations} (groups or private names) at
     * {@code level}. It spends one send credit, which comes back with a {@link Output.SendCredit}
     * once the daemon accepted the message, or with a {@link Output.RequestFailed}.
     */
    public void multicast(long sessionId, int requestId, List<String> destinations, ServiceLevel level,
            boolean selfDiscard, int type, byte[] payload, long nowNanos) {
        ClientSession s = sessionsById.get(sessionId);
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
            groupList = checkMulticast(destinations, type, payload);
        } catch (ConsortException e) {
            s.refusedMulticast();
            out.accept(new Output.RequestFailed(sessionId, requestId, e.code(), e.getMessage()));
            return;
        }
        submit(s, new AgreedItem.Data(s.privateName(), groupList, level, type, selfDiscard, payload),
                new Pending(requestId, true));
        step(nowNanos);
    }

    private List<String> checkMulticast(List<String> destinations, int type, byte[] payload) {
        if (destinations.isEmpty() || destinations.size() > config.maxGroupsPerMessage()) {
            throw new ConsortException(ErrorCode.TOO_MANY_GROUPS, "a message names 1 to "
                    + config.maxGroupsPerMessage() + " groups, this one " + destinations.size());
        }
        if (payload.length > config.maxMessageBytes()) {
            throw new ConsortException(ErrorCode.MESSAGE_TOO_LARGE, "message of " + payload.length
                    + " bytes is over the maximum of " + config.maxMessageBytes());
        }
        if (type < 0 || type > 0xFFFF) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, "message type " + type + " is not 16-bit");
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String g : destinations) {
            Names.checkDestination(g, config.maxGroupNameBytes());
            unique.add(g);
        }
        return new ArrayList<>(unique);
    }

    /**
     * The session is gone. A clean disconnect (the client said goodbye) shows as LEAVE to the
     * other members; a lost connection as DISCONNECT.
     */
    public void disconnect(long sessionId, boolean clean, long nowNanos) {
        ClientSession s = sessionsById.get(sessionId);
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
        for (ClientSession s : new ArrayList<>(sessionsById.values())) {
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
        return phase == GroupPhase.STABLE;
    }

    /** How many messages the ring holds, for memory bounds. */
    public int ringHeldMessages() {
        return ring.heldMessages();
    }

    /** A one-line account of the ring's state, for diagnostics. */
    public String ringDescription() {
        return ring + (phase == GroupPhase.STABLE ? " groups stable" : " groups changing");
    }

    /** Datagrams dropped as malformed. */
    public long droppedDatagrams() {
        return ring.droppedDatagrams();
    }

    /** How many sessions are connected. */
    public int sessionCount() {
        return sessionsById.size();
    }

    /** How many groups have members. */
    public int groupCount() {
        return groups.size();
    }

    /** Bytes buffered for session {@code sessionId}, or 0 if it is not connected. */
    public long bufferedBytes(long sessionId) {
        ClientSession s = sessionsById.get(sessionId);
        return s == null ? 0 : s.bufferedBytes();
    }

    /** Bytes buffered for all sessions together. */
    public long totalBufferedBytes() {
        long sum = 0;
        for (ClientSession s : sessionsById.values()) {
            sum += s.bufferedBytes();
        }
        return sum;
    }

    /** The members of {@code group} in view order, empty if it has none. */
    public List<String> members(String group) {
        GroupTable.Group g = groups.group(group);
        return g == null ? List.of() : g.members();
    }

    // ---------------------------------------------------------------- internals

    private void submit(ClientSession s, AgreedItem item, Pending pending) {
        pendingByName.computeIfAbsent(s.privateName(), n -> new ArrayDeque<>()).add(pending);
        ring.submit(item);
    }

    private void closeForCause(ClientSession s, ErrorCode code, String reason) {
        out.accept(new Output.CloseSession(s.id(), code, reason));
        remove(s, false);
    }

    private void remove(ClientSession s, boolean clean) {
        sessionsById.remove(s.id());
        sessionsByName.remove(s.privateName());
        creditsToReport.remove(s);
        overBound.remove(s);
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
        if (!overBound.isEmpty()) {
            overBound.removeIf(s -> s.bufferedBytes() <= config.sessionBufferBytesMax() / 2);
        }
        if (overBound.isEmpty() && !creditsToReport.isEmpty()) {
            for (ClientSession s : creditsToReport) {
                out.accept(new Output.SendCredit(s.id(), s.takeReturnedCredits()));
            }
            creditsToReport.clear();
        }
        long deadline = ring.nextDeadlineNanos();
        if (deadline != Long.MAX_VALUE && (deadline != timerSetFor || deadline <= nowNanos)) {
            timerSetFor = deadline;
            out.accept(new Output.SetTimer(deadline));
        }
        assert checkInvariants();
    }

    /** The engine's own bookkeeping after an input (the ring and each session check theirs). */
    private boolean checkInvariants() {
        if (sessionsById.size() != sessionsByName.size() || !sessionsById.values().containsAll(overBound)) {
            throw new IllegalStateException("session registry inconsistent: " + sessionsById.size() + " by id, "
                    + sessionsByName.size() + " by name, " + overBound.size() + " over their bound");
        }
        for (ClientSession s : sessionsById.values()) {
            s.checkInvariants();
        }
        return true;
    }

    private void onOrdered(long configurationId, long sequence, AgreedItem item) {
        if (configurationId == lastConfiguration && sequence - lastSequence <= 0) {
            throw new IllegalStateException("agreed stream went backwards: " + sequence + " after " + lastSequence);
        }
        lastConfiguration = configurationId;
        lastSequence = sequence;
        ViewId id = new ViewId(configurationId, sequence);
        if (item instanceof AgreedItem.Data d) {
            deliverData(sequence, d);
        } else if (item instanceof AgreedItem.Join j) {
            applyJoin(id, j);
        } else if (item instanceof AgreedItem.Leave l) {
            applyLeave(id, l);
        } else if (item instanceof AgreedItem.GroupState gs) {
            onGroupState(id, gs);
        } else {
            applyDisconnect(id, (AgreedItem.Disconnect) item);
        }
    }

    private Pending completeOwn(String session) {
        ArrayDeque<Pending> q = pendingByName.get(session);
        if (q == null) {
            return null;
        }
        Pending p = q.poll();
        if (q.isEmpty()) {
            pendingByName.remove(session);
        }
        return p;
    }

    private void deliverData(long sequence, AgreedItem.Data d) {
        MessageEvent m = new MessageEvent(sequence, d.session(), d.groups(), d.level(), d.type(), d.payload());
        if (d.groups().size() == 1 && !Names.isPrivateName(d.groups().get(0))) {
            deliverDataToGroup(m, d);
            return;
        }
        Map<ClientSession, List<String>> receivers = new LinkedHashMap<>();
        for (String g : d.groups()) {
            if (Names.isPrivateName(g)) {
                ClientSession target = sessionsByName.get(g);
                if (target != null) {
                    receivers.computeIfAbsent(target, t -> new ArrayList<>(1)).add(g);
                }
                continue;
            }
            GroupTable.Group group = groups.group(g);
            if (group == null) {
                continue;
            }
            for (String member : group.memberView()) {
                ClientSession r = sessionsByName.get(member);
                if (r != null) {
                    receivers.computeIfAbsent(r, t -> new ArrayList<>(1)).add(g);
                }
            }
        }
        ClientSession sender = sessionsByName.get(d.session());
        for (Map.Entry<ClientSession, List<String>> e : receivers.entrySet()) {
            if (d.selfDiscard() && e.getKey() == sender) {
                continue;
            }
            deliverTo(e.getKey(), m, e.getValue());
        }
        acceptOwnMulticast(d.session());
    }

    /** The common case, one group: each local member once, in member order, without a map or list per message. */
    private void deliverDataToGroup(MessageEvent m, AgreedItem.Data d) {
        GroupTable.Group group = groups.group(d.groups().get(0));
        ClientSession sender = sessionsByName.get(d.session());
        if (group != null) {
            for (String member : group.memberView()) {
                ClientSession r = sessionsByName.get(member);
                if (r != null && !(d.selfDiscard() && r == sender)) {
                    deliverTo(r, m, d.groups());
                }
            }
        }
        acceptOwnMulticast(d.session());
    }

    /** A local sender's multicast came out of the agreed stream: its credit comes back as the acknowledgement. */
    private void acceptOwnMulticast(String session) {
        Pending p = completeOwn(session);
        ClientSession sender = sessionsByName.get(session); // its own copy may have closed it as a slow consumer
        if (sender != null && p != null) {
            sender.acceptedMulticast();
            creditsToReport.add(sender);
        }
    }

    private void applyJoin(ViewId id, AgreedItem.Join j) {
        GroupTable.Group g = groups.join(j.group(), j.session(), id);
        if (g != null) {
            ViewEvent view = new ViewEvent(g.name(), id, ViewCause.JOIN, g.members(), List.of(j.session()), List.of(),
                    false);
            deliverView(g, view);
            ClientSession joiner = sessionsByName.get(j.session());
            if (phase == GroupPhase.CHANGING && joiner != null) {
                // Joined in the old configuration's remainder: the joiner too is told the
                // configuration is changing, as the members who were there before it were.
                deliverTo(joiner, new TransitionalEvent(g.name(), id), List.of(g.name()));
            }
        }
        Pending p = completeOwn(j.session());
        ClientSession s = sessionsByName.get(j.session());
        if (s != null && p != null) {
            out.accept(new Output.RequestDone(s.id(), p.requestId()));
        }
    }

    private void applyLeave(ViewId id, AgreedItem.Leave l) {
        GroupTable.Group g = groups.leave(l.group(), l.session(), id);
        ClientSession s = sessionsByName.get(l.session());
        if (g != null) {
            if (s != null) {
                deliverTo(s, new ViewEvent(g.name(), id, ViewCause.LEAVE, List.of(), List.of(l.session()), List.of(),
                        true), List.of());
            }
            deliverView(g, new ViewEvent(g.name(), id, ViewCause.LEAVE, g.members(), List.of(l.session()), List.of(),
                    false));
        }
        Pending p = completeOwn(l.session());
        s = sessionsByName.get(l.session()); // its self-leave view may have closed it as a slow consumer
        if (s != null && p != null) {
            out.accept(g != null
                    ? new Output.RequestDone(s.id(), p.requestId())
                    : new Output.RequestFailed(s.id(), p.requestId(), ErrorCode.NOT_A_MEMBER,
                            l.session() + " is not a member of " + l.group()));
        }
    }

    private void applyDisconnect(ViewId id, AgreedItem.Disconnect d) {
        ViewCause cause = d.clean() ? ViewCause.LEAVE : ViewCause.DISCONNECT;
        for (String group : groups.groupsOfInJoinOrder(d.session())) {
            GroupTable.Group g = groups.leave(group, d.session(), id);
            if (g != null) {
                deliverView(g, new ViewEvent(group, id, cause, g.members(), List.of(d.session()), List.of(), false));
            }
        }
        pendingByName.remove(d.session());
    }

    private void deliverView(GroupTable.Group g, ViewEvent view) {
        for (String member : view.members()) {
            ClientSession r = sessionsByName.get(member);
            if (r != null) {
                deliverTo(r, view, List.of(g.name()));
            }
        }
    }

    private void deliverTo(ClientSession s, Event e, List<String> receivingGroups) {
        s.enqueue(e, receivingGroups, out);
        if (s.bufferedBytes() > config.sessionBufferBytesMax()) {
            // Holding senders back stops multicasts, not joins and leaves: past twice the bound (and
            // a message) the session goes whatever the policy, so no client grows a daemon without limit.
            if (config.slowConsumerPolicy() == EngineConfig.SlowConsumerPolicy.DISCONNECT
                    || s.bufferedBytes() > 2 * config.sessionBufferBytesMax() + config.maxMessageBytes()) {
                closeForCause(s, ErrorCode.SLOW_CONSUMER, "session " + s.privateName() + " fell behind: "
                        + s.bufferedBytes() + " bytes waiting, over the bound of " + config.sessionBufferBytesMax());
            } else {
                overBound.add(s);
            }
        }
    }

    // ---------------------------------------------------------------- configuration changes

    /** The old configuration's remainder follows: every local member gets its transitional signal, once per change. */
    private void onTransitional(long oldConfigurationId, long newConfigurationId) {
        exchange.transition(oldConfigurationId, newConfigurationId);
        if (phase == GroupPhase.CHANGING) {
            return; // a cascade: the members already got their signal and await their next view
        }
        phase = GroupPhase.CHANGING;
        for (ClientSession s : sessionsById.values()) {
            signalTransitional(s);
        }
    }

    private void signalTransitional(ClientSession s) {
        for (String group : groups.groupsOfInJoinOrder(s.privateName())) {
            GroupTable.Group g = groups.group(group);
            if (g != null) {
                deliverTo(s, new TransitionalEvent(group, g.viewId()), List.of(group));
            }
        }
    }

    /** A new regular configuration: tell the others which groups this daemon's sessions are in. */
    private void onRegular(long configurationId, List<Integer> daemons) {
        ring.submit(exchange.begin(configurationId, daemons, groups));
    }

    private void onGroupState(ViewId id, AgreedItem.GroupState state) {
        if (phase != GroupPhase.CHANGING || !exchange.offer(state)) {
            return;
        }
        GroupExchange.Result result = exchange.complete(groups, id);
        for (GroupExchange.View v : result.views()) {
            for (String member : v.members()) {
                ClientSession s = sessionsByName.get(member);
                if (s != null) {
                    deliverTo(s, new ViewEvent(v.group(), id, ViewCause.NETWORK, v.members(), List.of(),
                            v.vsSetOf(member), false), List.of(v.group()));
                }
            }
        }
        phase = GroupPhase.STABLE;
        ring.openClientTraffic(id.configurationId());
    }
}
