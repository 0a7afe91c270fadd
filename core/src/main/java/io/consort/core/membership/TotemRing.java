package io.consort.core.membership;

import io.consort.core.EngineConfig;
import io.consort.core.EngineConfig.TotemTimeouts;
import io.consort.core.Output;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.Datagrams;
import io.consort.core.ring.Deliveries;
import io.consort.core.ring.Departure;
import io.consort.core.ring.FlowControl;
import io.consort.core.ring.ItemCodec;
import io.consort.core.ring.MergeCandidates;
import io.consort.core.ring.MessageStore;
import io.consort.core.ring.OrderedSink;
import io.consort.core.ring.Outbox;
import io.consort.core.ring.RecoveryQueue;
import io.consort.core.ring.Ring;
import io.consort.core.ring.RingCounters;
import io.consort.core.GatherCause;
import io.consort.core.ring.RingId;
import io.consort.core.ring.RingState;
import io.consort.core.ring.Seq;
import io.consort.core.ring.StallGuard;
import io.consort.core.ring.TokenVisit;
import io.consort.core.wire.BeaconPacket;
import io.consort.core.wire.CommitPacket;
import io.consort.core.wire.Header;
import io.consort.core.wire.JoinPacket;
import io.consort.core.wire.LeavePacket;
import io.consort.core.wire.MessagePacket;
import io.consort.core.wire.Packet;
import io.consort.core.wire.TokenPacket;
import io.consort.core.wire.WireException;
import io.consort.core.WireVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The Totem single-ring protocol with its membership algorithm, as one daemon runs it.
 *
 * <p>Phases ({@link Phase}): {@link Gathering} (exchanging joins until the daemons that see each
 * other agree who they are), {@link Committing} (the commit token goes around twice, collecting and
 * then spreading every member's old ring), {@link Recovering} (the new ring's token runs; members
 * re-send their old ring's messages so that all who came from that ring hold the same ones; then
 * the old ring's remainder is delivered, the transitional configuration, then the new regular one)
 * and {@link Operational} (the token runs; its holder multicasts). A token visit is
 * {@link TokenVisit}; docs/RING.md explains the protocol and the timeouts.
 *
 * <p>Pure: driven by {@link #receive}, {@link #tick} and {@link #submit}; time is a parameter; its
 * outputs are datagrams and deliveries, taken by the engine.
 *
 * <pre>{@code
 * Ring ring = new TotemRing(EngineConfig.defaults().withClustered(true).withDaemonId(1));
 * ring.tick(now);                 // starts gathering
 * ring.receive(2, datagram, now); // the others' joins, tokens, messages
 * ring.takeOutputs(out::add);     // datagrams to send
 * ring.drainTo(sink);             // ordered items and configurations
 * }</pre>
 */
public final class TotemRing implements Ring {
    private final int me;
    private final long initialSeq;
    private final TotemTimeouts timeouts;
    private final FlowControl flow;
    private final StallGuard stallGuard;
    /** The ring wire versions this daemon speaks: it announces them, and drops packets of any other. */
    private final WireVersions wire;
    /** (daemon, version) pairs already reported as unspoken, so the log says it once. */
    private final java.util.Set<Long> unspokenReported = new java.util.HashSet<>();
    private final MergeCandidates mergeCandidates;

    private final Datagrams net;
    private final Deliveries deliveries = new Deliveries();
    private final Outbox outbox = new Outbox();
    private final Departures departed = new Departures();
    private boolean started;
    private long now;
    private long droppedDatagrams;
    private final RingCounters counters = new RingCounters();

    /** The highest ring seq this daemon has seen or used: its next gather round and ring are above it. */
    private long ringSeqMax;
    /** The last installed regular ring; frozen (no new messages taken in) while not operational. */
    private @Nullable RingState regular;
    private Phase phase;
    /** This daemon's own leave, once the engine asked for it. */
    private @Nullable Departure departure;

    /** The ring of daemon {@code config.daemonId()}. */
    public TotemRing(EngineConfig config) {
        this.me = config.daemonId();
        this.initialSeq = config.initialSequence();
        this.timeouts = config.timeouts();
        this.wire = config.wireVersions();
        this.flow = new FlowControl(config.globalWindowMessages(), config.personalWindowMessages(),
                config.acceleratedMessages());
        this.stallGuard = StallGuard.forTimeouts(timeouts.tokenLossTimeoutNanos(), timeouts.tokenRetransmitNanos());
        this.mergeCandidates = new MergeCandidates(3 * timeouts.mergeDetectNanos());
        this.net = new Datagrams(me);
        // Ring seqs of a restarted daemon start above any it used before, so ring ids never repeat.
        this.ringSeqMax = config.incarnation();
        // Not started: the first input starts the gather (at its time).
        this.phase = new Gathering(new Gather(me, List.of(me), ringSeqMax), 0, timeouts);
    }

    // ------------------------------------------------------------------ Ring

    @Override
    public void submit(AgreedItem item) {
        outbox.submit(item);
    }

    @Override
    public int drainTo(OrderedSink sink) {
        return deliveries.drainTo(sink);
    }

    @Override
    public long configurationId() {
        RingState r = regular;
        return r == null ? 0 : r.id;
    }

    @Override
    public List<Integer> members() {
        RingState r = regular;
        return phase instanceof Operational && r != null ? r.members : List.of();
    }

    /** Whether the ring is operational (not forming a new configuration). */
    public boolean operational() {
        return phase instanceof Operational;
    }

    @Override
    public String toString() {
        return "d" + me + " " + phase + " regular " + configurationId() + " seqMax " + ringSeqMax + " heardByAll "
                + mergeCandidates.heardByAll();
    }

    @Override
    public long droppedDatagrams() {
        return droppedDatagrams;
    }

    @Override
    public int wireVersion() {
        RingState r = regular;
        return r == null ? 0 : r.wireVersion;
    }

    @Override
    public RingCounters counters() {
        return counters;
    }

    @Override
    public int heldMessages() {
        int n = outbox.size();
        RingState cur = current();
        if (phase instanceof Recovering rec) {
            n += rec.queue.size();
        }
        RingState reg = regular;
        if (reg != null) {
            n += reg.store.size();
        }
        if (cur != null && cur != reg) {
            n += cur.store.size();
        }
        return n;
    }

    @Override
    public List<AgreedItem> withdrawClientItems() {
        return outbox.withdrawClientItems();
    }

    @Override
    public void openClientTraffic(long configurationId) {
        RingState r = regular;
        if (phase instanceof Operational && r != null && r.id == configurationId) {
            outbox.open();
        }
    }

    @Override
    public void takeOutputs(Consumer<? super Output> out) {
        net.takeOutputs(out);
    }

    @Override
    public long nextDeadlineNanos() {
        if (!started) {
            return Long.MAX_VALUE;
        }
        Departure dep = departure;
        if (dep != null && gone(dep)) {
            return dep.nextDeadlineNanos();
        }
        if (net.selfPending()) {
            return now;
        }
        long d = phase.nextDeadline(now, phase instanceof Operational op ? holdEnds(op) : outbox.hasWork());
        if (dep != null) {
            d = Math.min(d, dep.nextDeadlineNanos());
        }
        return d;
    }

    @Override
    public void receive(int fromDaemon, byte[] datagram, long nowNanos) {
        advance(nowNanos);
        if (!spoken(fromDaemon, datagram)) {
            droppedDatagrams++;
            return;
        }
        Packet p;
        try {
            p = Packet.decode(datagram);
        } catch (WireException e) {
            droppedDatagrams++;
            counters.undecodable();
            return;
        }
        try {
            handle(p, datagram, Header.versionOf(datagram));
        } catch (WireException e) {
            // A well-framed packet whose body (an item) is malformed.
            droppedDatagrams++;
            counters.malformed();
        }
        checkInvariants();
    }

    @Override
    public void tick(long nowNanos) {
        advance(nowNanos);
        if (departureTick()) {
            return;
        }
        int pending = net.selfSize();
        for (int i = 0; i < pending; i++) {
            byte[] b = net.pollSelf();
            try {
                handle(Packet.decode(java.util.Objects.requireNonNull(b)), null, Header.versionOf(b));
            } catch (WireException e) {
                droppedDatagrams++;
            }
        }
        Phase p = phase;
        if (p instanceof Gathering g) {
            gatherTimers(g);
        } else if (p instanceof Committing c) {
            if (now >= c.tokenLossAt) {
                counters.gather(GatherCause.TOKEN_LOSS);
                enterGather(c.members);
            } else {
                retransmitCommit(c.relay);
            }
        } else if (p instanceof Recovering rec) {
            tokenTimers(rec, rec.ring, rec.timers);
        } else if (p instanceof Operational op) {
            tokenTimers(op, op.ring, op.timers);
        }
        announceLeaveIfReady();
        checkInvariants();
    }

    private void advance(long nowNanos) {
        if (!started) {
            now = Math.max(now, nowNanos);
            started = true;
            counters.gather(GatherCause.START);
            enterGather(List.of(me));
            return;
        }
        long deadline = nextDeadlineNanos();
        now = Math.max(now, nowNanos);
        if (stallGuard.graceFor(deadline, now)) {
            // Woken long after asking to be: this daemon stalled, so its silence timers measured its
            // own deafness. Give the others a full timeout from now; the token or their joins are
            // most likely waiting right behind this input.
            phase.grace(now, timeouts);
        }
    }

    /**
     * What must hold after every input, checked fail-stop: a daemon whose ring state contradicts
     * itself must not go on ordering messages for clients. The cheap checks always run; the ones
     * that walk a ring's state only with assertions on (the tests and the simulator run with -ea).
     */
    private void checkInvariants() {
        if (!started) {
            return;
        }
        RingState reg = regular;
        if (phase instanceof Operational op && op.ring != reg) {
            throw new IllegalStateException("operational ring is not the regular one: " + this);
        }
        if (reg != null && RingId.seqOf(reg.id) > ringSeqMax) {
            throw new IllegalStateException("regular ring above the ring seq max: " + this);
        }
        // A handful of comparisons each (ring id valid, delivered <= aru <= highest seq, safe <= aru):
        // cheap enough for every input, in production too.
        if (reg != null) {
            reg.checkInvariants();
        }
        RingState cur = current();
        if (cur != null && cur != reg) {
            cur.checkInvariants();
        }
        assert checkAll();
    }

    private boolean checkAll() {
        phase.checkInvariants();
        return true;
    }

    // ------------------------------------------------------------------ dispatch

    /** Whether this daemon's leave is announced (or given up): it is out of the ring. */
    private static boolean gone(Departure dep) {
        return dep.announced() || dep.left();
    }

    /**
     * Whether {@code datagram} is of a wire version this daemon speaks. One of a version it does not
     * is dropped, and reported once per daemon and version: that daemon and this one cannot form a
     * ring until one of them speaks the other's version.
     */
    private boolean spoken(int fromDaemon, byte[] datagram) {
        if (datagram.length < Header.BYTES || (((datagram[0] & 0xFF) << 8) | (datagram[1] & 0xFF)) != Header.MAGIC) {
            return true; // not a daemon packet at all: decoding drops it
        }
        int version = Header.versionOf(datagram);
        if (wire.speaks(version)) {
            return true;
        }
        if (unspokenReported.size() < 1024 && unspokenReported.add(((long) fromDaemon << 16) | version)) {
            net.notice("daemon " + fromDaemon + " sent ring wire version " + version + ", which this daemon (d" + me
                    + ", wire versions " + wire + ") does not speak: it is not admitted to this daemon's ring"
                    + " until one of them is upgraded to a version the other speaks");
        }
        return false;
    }

    /**
     * Handles packet {@code p} of wire {@code version}; {@code raw} is its canonical encoding as
     * received (null: re-encode when needed).
     */
    private void handle(Packet p, byte @Nullable [] raw, int version) {
        Departure dep = departure;
        if (dep != null && gone(dep)) {
            // Gone from the ring: only the others' answers to the announcement matter now.
            if (p instanceof JoinPacket j) {
                dep.answered(j, me);
            } else if (p instanceof BeaconPacket b && RingId.seqOf(b.ringId()) > RingId.seqOf(dep.ringId())) {
                dep.answeredBy(b.sender());
            } else if (p instanceof MessagePacket m && RingId.seqOf(m.ringId()) > RingId.seqOf(dep.ringId())) {
                dep.answeredBy(m.sender());
            }
            return;
        }
        if (p instanceof TokenPacket t) {
            onToken(t);
        } else if (p instanceof MessagePacket m) {
            onMessage(m, raw);
        } else if (p instanceof JoinPacket j) {
            onJoin(j);
        } else if (p instanceof CommitPacket c) {
            onCommit(c, version);
        } else if (p instanceof LeavePacket l) {
            onLeave(l);
        } else {
            onBeacon((BeaconPacket) p);
        }
    }

    /** The ring whose token this daemon handles: in RECOVERY the new ring, in OPERATIONAL the regular one. */
    private @Nullable RingState current() {
        Phase p = phase;
        if (p instanceof Recovering rec) {
            return rec.ring;
        }
        return p instanceof Operational op ? op.ring : null;
    }

    private long regularId() {
        RingState r = regular;
        return r == null ? 0 : r.id;
    }

    // ------------------------------------------------------------------ gather

    /**
     * Starts gathering, a daemon on its own (token lost, a stranger heard): it opens a new round.
     * Returns the new phase, which may already have moved on (to COMMIT, on consensus).
     */
    private Gathering enterGather(List<Integer> proc) {
        return enterGather(proc, null);
    }

    /** Starts gathering; one that follows another's join ({@code cause}) takes that join's round. */
    private Gathering enterGather(List<Integer> proc, @Nullable JoinPacket cause) {
        if (cause == null) {
            ringSeqMax++;
        } else {
            ringSeqMax = Math.max(ringSeqMax, cause.ringSeqMax());
        }
        stallGuard.progress();
        Gathering g = new Gathering(new Gather(me, proc, ringSeqMax), now, timeouts);
        phase = g;
        outbox.close();
        gatherTimers(g);
        return g;
    }

    private void gatherTimers(Gathering g) {
        if (now >= g.consensusAt) {
            g.gather.failUnresponsive();
            g.consensusAt = now + timeouts.consensusTimeoutNanos();
            g.joinAt = now;
        }
        if (now >= g.joinAt) {
            sendJoin(g);
        }
        tryConsensus(g);
    }

    private void sendJoin(Gathering g) {
        net.announce(g.gather.join(regularId(), wire), wire);
        g.joinAt = now + timeouts.joinIntervalNanos();
    }

    /** Join admission: whether a join makes this daemon gather, and with whom. */
    private void onJoin(JoinPacket j) {
        if (j.sender() == me) {
            return;
        }
        Phase p = phase;
        if (p instanceof Operational op) {
            admitWhileRunning(op.ring, false, j);
        } else if (p instanceof Recovering rec) {
            admitWhileRunning(rec.ring, true, j);
        } else if (p instanceof Committing c) {
            if (c.members.contains(j.sender()) && j.ringSeqMax() >= RingId.seqOf(c.ringId)) {
                counters.gather(GatherCause.JOIN);
                gatherJoin(enterGather(c.members, j), j);
            }
        } else if (p instanceof Gathering g) {
            gatherJoin(g, j);
        }
    }

    /** A join while ring {@code r} runs (recovering or operational). */
    private void admitWhileRunning(RingState r, boolean recovering, JoinPacket j) {
        boolean member = r.members.contains(j.sender());
        // A join from a member that was sent before this ring formed is stale; one from a
        // member that knows this ring means the member gave up on it.
        if (member && j.ringSeqMax() < RingId.seqOf(r.id)) {
            return;
        }
        if (!member && (recovering || j.failSet().contains(me))) {
            // A stranger that counts this daemon failed is still in a gather from before it
            // last heard us: following it would only fail it back, and two daemons doing so
            // take turns forever. Once it forms its ring, its beacon brings a clean merge.
            return;
        }
        if (!member && j.regularRingId() != 0
                && !(mergeCandidates.heardByAll().contains(j.sender()) && j.procSet().containsAll(r.members))) {
            // Follow a stranger's merge only if every member here hears it and it gathers this
            // whole ring (which it does only once its ring found that it hears all of this
            // one). Otherwise, on a one-way link, joining would only fail it again; beacons
            // heard both ways bring the merge.
            return;
        }
        if (!member && j.ringSeqMax() < RingId.seqOf(r.id)) {
            // A merge in a round below this ring's: open a fresh round with the stranger's
            // daemons in it; its members move up to that round when they hear this join.
            TreeSet<Integer> proc = new TreeSet<>(r.members);
            proc.addAll(j.procSet());
            counters.gather(GatherCause.JOIN);
        gatherJoin(enterGather(new ArrayList<>(proc)), j);
            return;
        }
        List<Integer> proc = new ArrayList<>(r.members);
        proc.add(j.sender());
        counters.gather(GatherCause.JOIN);
        gatherJoin(enterGather(proc, j), j);
    }

    private void gatherJoin(Gathering g, JoinPacket j) {
        if (phase != g) {
            return; // the gather this join was meant for is over already
        }
        int before = g.gather.procSet().size();
        boolean changed = g.gather.onJoin(j);
        changed |= departed.fail(g.gather, regularId());
        ringSeqMax = Math.max(ringSeqMax, g.gather.round());
        if (changed) {
            if (g.gather.procSet().size() > before) {
                // A newcomer gets a full consensus timeout to answer.
                g.consensusAt = now + timeouts.consensusTimeoutNanos();
            }
            sendJoin(g);
        }
        tryConsensus(g);
    }

    /** Consensus: the representative (lowest member) forms the ring and starts the commit token. */
    private void tryConsensus(Gathering g) {
        if (phase != g || !g.agreed(now, timeouts)) {
            return;
        }
        List<Integer> members = g.gather.members();
        if (members.get(0) != me) {
            return;
        }
        WireVersionChoice choice = WireVersionChoice.of(wire, members, g.gather::versionsOf, me);
        if (!choice.excluded().isEmpty()) {
            for (int d : choice.excluded()) {
                g.gather.departed(d);
                net.notice("daemon " + d + " (wire versions " + g.gather.versionsOf(d) + ") is not admitted: it does"
                        + " not speak wire version " + choice.version() + ", which the other members share");
            }
            sendJoin(g);
            return; // consensus again, on the sets without them
        }
        ringSeqMax++;
        long ringId = RingId.of(ringSeqMax, me);
        List<CommitPacket.Slot> slots = new ArrayList<>(members.size());
        for (int m : members) {
            slots.add(m == me ? mySlot() : new CommitPacket.Slot(m, false, 0, 0, 0, 0));
        }
        Committing c = enterCommit(ringId, members, choice.version());
        forwardCommit(c.relay, new CommitPacket(me, ringId, 1, slots));
    }

    private CommitPacket.Slot mySlot() {
        RingState r = regular;
        if (r == null) {
            return new CommitPacket.Slot(me, true, 0, initialSeq, initialSeq, initialSeq);
        }
        return new CommitPacket.Slot(me, true, r.id, r.store.aru(), r.store.highSeq(), r.knownSafe);
    }

    // ------------------------------------------------------------------ commit

    /** Commits to ring {@code ringId} at wire {@code version}: its commit token and everything after go out at it. */
    private Committing enterCommit(long ringId, List<Integer> members, int version) {
        Committing c = new Committing(ringId, members, version, now, timeouts);
        net.version(version);
        phase = c;
        return c;
    }

    private void forwardCommit(CommitRelay relay, CommitPacket c) {
        List<Integer> m = c.members();
        int to = m.get((m.indexOf(me) + 1) % m.size());
        relay.sent(c, to, now, timeouts);
        net.send(to, c);
    }

    private void retransmitCommit(CommitRelay relay) {
        CommitPacket c = relay.due(now, timeouts);
        if (c != null) {
            net.send(relay.to(), c);
        }
    }

    private void onCommit(CommitPacket c, int version) {
        ringSeqMax = Math.max(ringSeqMax, RingId.seqOf(c.ringId()));
        List<Integer> members = c.members();
        int idx = members.indexOf(me);
        if (idx < 0) {
            return;
        }
        boolean rep = members.get(0) == me;
        boolean allFilled = c.slots().stream().allMatch(CommitPacket.Slot::filled);
        if (c.rotation() == 1) {
            if (phase instanceof Gathering g && members.equals(g.gather.members()) && !rep) {
                List<CommitPacket.Slot> slots = new ArrayList<>(c.slots());
                slots.set(idx, mySlot());
                Committing cm = enterCommit(c.ringId(), members, version);
                forwardCommit(cm.relay, new CommitPacket(me, c.ringId(), 1, slots));
            } else if (phase instanceof Committing cm && c.ringId() == cm.ringId && rep && allFilled) {
                CommitPacket second = new CommitPacket(me, c.ringId(), 2, c.slots());
                Recovering rec = enterRecovery(cm, second);
                forwardCommit(rec.relay, second);
            }
        } else if (allFilled) {
            if (phase instanceof Committing cm && c.ringId() == cm.ringId && !rep) {
                Recovering rec = enterRecovery(cm, c);
                forwardCommit(rec.relay, new CommitPacket(me, c.ringId(), 2, c.slots()));
            } else if (phase instanceof Recovering rec && rep && rec.ring.id == c.ringId() && !rec.tokenStarted) {
                rec.tokenStarted = true;
                rec.relay.stop();
                RingState r = rec.ring;
                long[] arus = new long[r.members.size()];
                java.util.Arrays.fill(arus, initialSeq);
                TokenPacket first = new TokenPacket(me, r.id, 0, initialSeq, initialSeq, -1, 0, 0, false, arus,
                        new boolean[arus.length], new long[0], List.of(), List.of());
                r.lastStamp = -1;
                acceptToken(rec, r, rec.timers, first);
            }
        }
    }

    // ------------------------------------------------------------------ recovery

    private Recovering enterRecovery(Committing cm, CommitPacket c) {
        RingState r = new RingState(c.ringId(), c.members(), me, initialSeq);
        r.wireVersion = cm.wireVersion;
        RingState old = regular;
        RecoveryPlan p = RecoveryPlan.of(c, me, old == null ? 0 : old.id, initialSeq);
        RecoveryQueue queue = new RecoveryQueue(outbox);
        if (old != null) {
            // Bounded by what the store can hold, whatever a (corrupt) commit token claims.
            long to = Seq.min(p.highSeq(), old.store.highSeq());
            for (long s = Seq.max(p.lowAru(), old.store.discardedUpTo()) + 1; Seq.le(s, to); s++) {
                MessageStore.Stored st = old.store.get(s);
                if (st != null && (Seq.lt(p.maxAru(), s) || p.maxAruHolder() == me)) {
                    // Carried whole inside the new ring's messages, so at the new ring's version: a
                    // member that came from an older ring may not decode the old one's.
                    queue.add(new MessageStore.Stored(st.packet(), st.item(), Header.stamped(st.raw(), r.wireVersion)));
                }
            }
        }
        Recovering rec = new Recovering(r, p, queue, cm.relay, now, timeouts);
        phase = rec;
        return rec;
    }

    /**
     * Every member coming from this daemon's old ring now holds the same old messages: deliver the
     * old ring's remainder as EVS says, then install the new ring as the regular configuration.
     */
    private Operational finishRecovery(Recovering rec) {
        RingState r = rec.ring;
        RingState old = regular;
        if (old == null) {
            deliveries.transitional(0, r.id, rec.plan.transitional());
        } else {
            EvsRemainder.deliver(old, r.id, rec.plan, deliveries);
        }
        net.notice("ring " + r.id + " of daemons " + r.members + " runs at wire version " + r.wireVersion
                + (old == null || old.wireVersion == r.wireVersion ? "" : " (the last ring ran at " + old.wireVersion + ")"));
        regular = r;
        // Every member beacons, not only the representative: a merge needs to know that each
        // member of the other ring can be heard (MergeCandidates).
        Operational op = new Operational(r, rec.timers, now + timeouts.mergeDetectNanos());
        phase = op;
        outbox.close();
        mergeCandidates.newRing();
        deliveries.regular(r.id, r.members);
        counters.configurationInstalled();
        return op;
    }

    /** Kept for callers of the old location; the ring id type owns it now. */
    public static long transitionalId(long oldRingId, long newRingId) {
        return RingId.transitionalId(oldRingId, newRingId);
    }

    // ------------------------------------------------------------------ token

    private void onToken(TokenPacket t) {
        Phase p = phase;
        if (p instanceof Recovering rec && fresh(rec.ring, t)) {
            // The new ring runs: the commit token did its job.
            rec.relay.stop();
            acceptToken(rec, rec.ring, rec.timers, t);
        } else if (p instanceof Operational op && fresh(op.ring, t)) {
            acceptToken(op, op.ring, op.timers, t);
        }
    }

    /**
     * Whether {@code t} is a new token of ring {@code r} (not another ring's, not a duplicate) from
     * this daemon's predecessor. A token passed to another member has a newer stamp than the last
     * one this daemon saw; taken here (a replay sent to the wrong member), it made this daemon
     * sequence new messages with the same seqs as the rightful holder, and a message was lost
     * (whole-fault-model seed 10000011).
     */
    private static boolean fresh(RingState r, TokenPacket t) {
        return t.ringId() == r.id && t.memberArus().length == r.members.size() && t.stamp() > r.lastStamp
                && t.sender() == r.predecessor();
    }

    private void acceptToken(Phase p, RingState r, TokenTimers timers, TokenPacket t) {
        r.lastStamp = t.stamp();
        timers.tokenArrived(now, timeouts);
        counters.tokenArrived(now);
        stallGuard.progress();
        r.lastToken = null;
        if (p instanceof Operational op && r.myIndex == 0 && idle(t)) {
            op.heldToken = t;
            op.holdUntil = now + timeouts.tokenHoldNanos();
            counters.holdStarted(now);
            return;
        }
        if (p instanceof Operational op && r.myIndex == 0 && light(t)
                && now - (op.rotationStartedAt + timeouts.rotationMinNanos()) < 0) {
            // Light traffic: a token that came round sooner than the minimum rotation waits for it, or
            // for a visit's worth of messages. Every rotation costs every daemon a datagram in and out
            // whatever it carries; unpaced, a few messages in flight kept the token spinning as fast as
            // the CPUs allowed, and on cores shared with the daemons' clients that spin left less CPU
            // for the messages than a flat-out run has (a steady rate carried less than flat out).
            op.heldToken = t;
            op.holdUntil = op.rotationStartedAt + timeouts.rotationMinNanos();
            op.pacing = true;
            counters.holdStarted(now);
            return;
        }
        processToken(p, r, timers, t);
    }

    /** Little queued on the ring: the last rotation's backlog and this daemon's are each under a visit, nothing to retransmit. */
    private boolean light(TokenPacket t) {
        int visit = flow.personalWindow();
        return timeouts.rotationMinNanos() > 0 && t.rtr().length == 0 && t.backlog() < visit
                && !outbox.hasVisitWorth(visit);
    }

    /** Whether a held token goes on before its hold time: work for an idle hold, a visit's worth for a pacing one. */
    private boolean holdEnds(Operational op) {
        return op.pacing ? outbox.hasVisitWorth(flow.personalWindow()) : outbox.hasWork();
    }

    private boolean idle(TokenPacket t) {
        return t.fcc() == 0 && t.rtr().length == 0 && t.aru() == t.seq() && !outbox.hasWork();
    }

    private void tokenTimers(Phase p, RingState r, TokenTimers timers) {
        if (now >= timers.tokenLossAt) {
            counters.gather(GatherCause.TOKEN_LOSS);
            enterGather(r.members);
            return;
        }
        if (p instanceof Recovering rec) {
            retransmitCommit(rec.relay);
        }
        if (p instanceof Operational op) {
            TokenPacket held = op.heldToken;
            if (held != null && (now >= op.holdUntil || holdEnds(op))) {
                op.release();
                counters.holdEnded(now);
                processToken(op, r, timers, held);
            }
        }
        TokenPacket last = r.lastToken;
        if (last != null && now >= timers.retransmitAt) {
            net.send(r.successor(), last);
            timers.tokenSent(now, timeouts);
        }
        if (p instanceof Operational op && now >= op.beaconAt) {
            net.announce(new BeaconPacket(me, r.id, r.members, mergeCandidates.heardByAll()), wire);
            op.beaconAt = now + timeouts.mergeDetectNanos();
        }
    }

    /** One token visit ({@link TokenVisit}), then what follows from it: recovery's end, deliveries, passing the token. */
    private void processToken(Phase p, RingState r, TokenTimers timers, TokenPacket t) {
        if (p instanceof Operational op && r.myIndex == 0) {
            op.rotationStartedAt = now;
        }
        boolean recovering = p instanceof Recovering;
        TokenVisit.Result v = TokenVisit.visit(t, r, p instanceof Recovering rec ? rec.queue : outbox, recovering, flow,
                me, mergeCandidates.heardRecently(r.members, now));
        for (byte[] b : v.beforeToken()) {
            net.broadcast(b);
        }
        mergeCandidates.rotationComplete(v.heard());
        counters.visit(v.asked(), v.answered(), v.next().backlog());
        Phase after = p;
        if (p instanceof Recovering rec && v.recovered()) {
            after = finishRecovery(rec);
        }
        if (after instanceof Operational) {
            r.deliverInOrder(deliveries);
            r.store.discardUpTo(Seq.min(r.knownSafe, r.delivered));
        }
        r.lastToken = v.next();
        timers.tokenSent(now, timeouts);
        net.send(r.successor(), v.next());
        for (byte[] b : v.afterToken()) {
            net.broadcast(b);
        }
    }

    // ------------------------------------------------------------------ messages

    private void onMessage(MessagePacket m, byte @Nullable [] raw) {
        RingState r = current();
        if (r == null || m.ringId() != r.id) {
            return; // a stranger's message alone does not start a merge: only beacons heard both ways do
        }
        if (r.store.has(m.seq())) {
            return;
        }
        AgreedItem item = null;
        MessagePacket old = null;
        AgreedItem oldItem = null;
        if (m.kind() == MessagePacket.KIND_ITEM) {
            item = ItemCodec.decode(m.body());
        } else {
            old = m.recovered();
            oldItem = ItemCodec.decode(old.body());
        }
        r.store.add(new MessageStore.Stored(m, item, raw != null ? raw : m.encode()));
        RingState reg = regular;
        if (old != null && phase instanceof Recovering && reg != null && old.ringId() == reg.id) {
            reg.store.add(new MessageStore.Stored(old, oldItem, m.body()));
        }
        if (phase instanceof Operational) {
            r.deliverInOrder(deliveries);
        }
    }

    /** Merge detection: another ring's beacon. */
    private void onBeacon(BeaconPacket b) {
        RingState r = current();
        if (b.sender() == me || (r != null && (b.ringId() == r.id || r.members.contains(b.sender())))) {
            return;
        }
        mergeCandidates.beacon(b, now);
        if (phase instanceof Operational && r != null && mergeCandidates.mutual(b, r.members)) {
            // Another ring hears this one and is heard by it entirely: gather to merge with all of it.
            TreeSet<Integer> proc = new TreeSet<>(r.members);
            proc.addAll(b.members());
            counters.gather(GatherCause.MERGE);
            enterGather(new ArrayList<>(proc));
        }
    }

    // ------------------------------------------------------------------ graceful leave

    @Override
    public void leave(long deadlineNanos) {
        if (departure == null) {
            departure = new Departure(deadlineNanos, timeouts.tokenRetransmitNanos());
        }
    }

    @Override
    public boolean left() {
        Departure dep = departure;
        return dep != null && dep.left();
    }

    /**
     * The leaver's timers: the deadline, and the announcement again until every member answered.
     * Returns true once the announcement is out (or the daemon gave up): the ring's own timers are
     * then over for this daemon.
     */
    private boolean departureTick() {
        Departure dep = departure;
        if (dep == null) {
            return false;
        }
        LeavePacket again = dep.tick(now);
        if (again != null) {
            net.broadcast(again.encode());
        }
        return gone(dep);
    }

    /**
     * Announces this daemon's leave once nothing of its own is in flight: the ring is operational,
     * it has nothing queued, everything delivered has been handed to the engine (so a wrapper's
     * waiting items were submitted), and every message it sent in this ring is held by every
     * member. The announcement carries that last fact, so the others can deliver those messages
     * (SAFE ones too) in this configuration, before they start the next one. A token held idle is
     * passed on first, so the next holder need not wait for it to be lost.
     */
    private void announceLeaveIfReady() {
        Departure dep = departure;
        if (dep == null || gone(dep) || !(phase instanceof Operational op) || op.ring != regular
                || !outbox.isEmpty() || !deliveries.isEmpty() || op.ring.ownMessageAbove(me, op.ring.knownSafe)) {
            return;
        }
        RingState r = op.ring;
        TokenPacket held = op.release();
        if (held != null) {
            counters.holdEnded(now);
            processToken(op, r, op.timers, held);
            if (!deliveries.isEmpty()) {
                return; // the engine takes these first; the next tick announces
            }
        }
        List<Integer> others = new ArrayList<>(r.members);
        others.remove(Integer.valueOf(me));
        LeavePacket leave = dep.announce(new LeavePacket(me, r.id, r.knownSafe), others, now);
        if (leave != null) {
            net.broadcast(leave.encode());
        }
    }

    /**
     * Another daemon of this daemon's ring leaves. Everything it sent is held by every member up to
     * the announced seq: deliver up to there now, in this configuration; then form the next one at
     * once, with the leaver counted failed, instead of waiting for the token to be lost.
     */
    private void onLeave(LeavePacket l) {
        RingState reg = regular;
        int leaver = l.sender();
        if (leaver == me || reg == null || l.ringId() != reg.id || !reg.members.contains(leaver)) {
            return; // another ring's (a stale one, say, from before the leaver restarted)
        }
        departed.left(leaver, reg.id);
        // Every member holds up to safeSeq, this daemon too; the bound guards against a corrupt packet.
        long safe = Seq.min(l.safeSeq(), reg.store.aru());
        if (Seq.lt(reg.knownSafe, safe)) {
            reg.knownSafe = safe;
        }
        Phase p = phase;
        if (p instanceof Operational op) {
            if (op.ring.members.contains(leaver)) {
                if (op.ring == reg) {
                    op.ring.deliverInOrder(deliveries);
                }
                counters.gather(GatherCause.LEAVE);
                enterGather(op.ring.members);
                gatherDeparted();
            }
        } else if (p instanceof Recovering rec) {
            if (rec.ring.members.contains(leaver)) {
                counters.gather(GatherCause.LEAVE);
                enterGather(rec.ring.members);
                gatherDeparted();
            }
        } else if (p instanceof Committing c) {
            if (c.members.contains(leaver)) {
                counters.gather(GatherCause.LEAVE);
                enterGather(c.members);
                gatherDeparted();
            }
        } else {
            gatherDeparted();
        }
    }

    /** Counts the departed daemons failed in the current gather; sends the join again if that changed it. */
    private void gatherDeparted() {
        if (phase instanceof Gathering g && departed.fail(g.gather, regularId())) {
            sendJoin(g);
            tryConsensus(g);
        }
    }
}
