package io.consort.core.ring;

import io.consort.core.EngineConfig;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.membership.Gather;
import io.consort.core.membership.RecoveryPlan;
import io.consort.core.wire.BeaconPacket;
import io.consort.core.wire.CommitPacket;
import io.consort.core.wire.ItemCodec;
import io.consort.core.wire.JoinPacket;
import io.consort.core.wire.LeavePacket;
import io.consort.core.wire.MessagePacket;
import io.consort.core.wire.Packet;
import io.consort.core.wire.TokenPacket;
import io.consort.core.wire.WireException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The Totem single-ring protocol with its membership algorithm, as one daemon runs it.
 *
 * <p>States: GATHER (exchanging joins until the daemons that see each other agree who they are),
 * COMMIT (the commit token goes around twice, collecting and then spreading every member's old
 * ring), RECOVERY (the new ring's token runs; members re-send their old ring's messages so that all
 * who came from that ring hold the same ones; then the old ring's remainder is delivered, the
 * transitional configuration, then the new regular one) and OPERATIONAL (the token runs; its
 * holder multicasts). docs/RING.md explains the protocol and the timeouts.
 *
 * <p>Pure: driven by {@link #receive}, {@link #tick} and {@link #submit}; time is a parameter; its
 * outputs are datagrams and deliveries, taken by the engine.
 */
public final class TotemRing implements Ring {
    private enum State { GATHER, COMMIT, RECOVERY, OPERATIONAL }

    /** A sink call waiting for {@link #drainTo}. */
    private sealed interface Delivery {
    }

    private record ItemDelivery(long ringId, long seq, AgreedItem item) implements Delivery {
    }

    private record TransitionalDelivery(long oldRingId, long newRingId, List<Integer> daemons) implements Delivery {
    }

    private record RegularDelivery(long ringId, List<Integer> daemons) implements Delivery {
    }

    /** One ring this daemon takes part in: its members, its messages and its token bookkeeping. */
    private static final class RingInstance {
        final long id;
        final List<Integer> members;
        final int myIndex;
        final MessageStore store;
        long lastStamp = -1;
        long knownSafe;
        long delivered;
        int sentLastVisit;
        int backlogLastVisit;
        /** The token's seq when it last reached this daemon: what is above may still be in flight. */
        long seqLastVisit;
        @Nullable TokenPacket lastToken;

        RingInstance(long id, List<Integer> members, int me, long initialSeq) {
            this.id = id;
            this.members = List.copyOf(members);
            this.myIndex = members.indexOf(me);
            this.store = new MessageStore(id, initialSeq);
            this.knownSafe = initialSeq;
            this.delivered = initialSeq;
            this.seqLastVisit = initialSeq;
        }

        int successor() {
            return members.get((myIndex + 1) % members.size());
        }
    }

    private static final int RING_SEQ_SHIFT = 10;

    private final int me;
    private final long initialSeq;
    private final long tokenLossNanos;
    private final long tokenRetransmitNanos;
    private final long joinIntervalNanos;
    private final long consensusTimeoutNanos;
    private final long mergeDetectNanos;
    private final long tokenHoldNanos;
    private final int globalWindow;
    private final int personalWindow;
    private final int accelerated;
    private final StallGuard stallGuard;
    private final MergeCandidates mergeCandidates;

    private final List<Output> outputs = new ArrayList<>();
    private final ArrayDeque<Delivery> deliveries = new ArrayDeque<>();
    private final ArrayDeque<AgreedItem> clientQueue = new ArrayDeque<>();
    private final ArrayDeque<AgreedItem> controlQueue = new ArrayDeque<>();
    private final ArrayDeque<byte[]> selfQueue = new ArrayDeque<>();
    private boolean clientOpen;
    private boolean started;
    private long now;
    private long droppedDatagrams;

    private State state = State.GATHER;
    private long ringSeqMax;
    /** The last installed regular ring; frozen (no new messages taken in) while not operational. */
    private @Nullable RingInstance regular;
    /** The ring whose token this daemon handles: in RECOVERY the new ring, in OPERATIONAL the regular one. */
    private @Nullable RingInstance current;

    // gather
    private @Nullable Gather gather;
    private long gatherStart;
    private long joinAt = Long.MAX_VALUE;
    private long consensusAt = Long.MAX_VALUE;

    // commit and recovery
    private long commitRingId;
    private List<Integer> commitMembers = List.of();
    private @Nullable CommitPacket lastCommitSent;
    private int lastCommitTo;
    private long commitRetransmitAt = Long.MAX_VALUE;
    private @Nullable RecoveryPlan plan;
    private final ArrayDeque<MessageStore.Stored> recoveryQueue = new ArrayDeque<>();
    /** The bytes of the packet being handled from receive(), which are its canonical encoding (perf: no re-encode). */
    private byte @Nullable [] receivedBytes;
    private boolean tokenStarted;

    // timers of the token
    private long tokenLossAt = Long.MAX_VALUE;
    private long retransmitAt = Long.MAX_VALUE;
    private long beaconAt = Long.MAX_VALUE;
    private @Nullable TokenPacket heldToken;
    private long holdUntil = Long.MAX_VALUE;
    /** The held token is held to pace the rotation (light traffic), not because the ring is idle. */
    private boolean pacing;
    /** When the representative last passed the token on: the start of the rotation under way. */
    private long rotationStartedAt = Long.MIN_VALUE;
    private final long rotationMinNanos;

    // graceful leave
    /** This daemon's own leave, once the engine asked for it. */
    private @Nullable Departure departure;
    /** Daemons that announced they leave, with the ring they left: counted failed in every gather round until a new ring forms. */
    private final java.util.Map<Integer, Long> departed = new java.util.HashMap<>();

    /** The ring of daemon {@code config.daemonId()}. */
    public TotemRing(EngineConfig config) {
        this.me = config.daemonId();
        this.initialSeq = config.initialSequence();
        this.tokenLossNanos = config.tokenLossTimeoutNanos();
        this.tokenRetransmitNanos = config.tokenRetransmitNanos();
        this.joinIntervalNanos = config.joinIntervalNanos();
        this.consensusTimeoutNanos = config.consensusTimeoutNanos();
        this.mergeDetectNanos = config.mergeDetectNanos();
        this.tokenHoldNanos = config.tokenHoldNanos();
        this.rotationMinNanos = config.rotationMinNanos();
        this.globalWindow = config.globalWindowMessages();
        this.personalWindow = config.personalWindowMessages();
        this.accelerated = config.acceleratedMessages();
        this.stallGuard = StallGuard.forTimeouts(tokenLossNanos, tokenRetransmitNanos);
        this.mergeCandidates = new MergeCandidates(3 * mergeDetectNanos);
        // Ring seqs of a restarted daemon start above any it used before, so ring ids never repeat.
        this.ringSeqMax = config.incarnation();
    }

    // ------------------------------------------------------------------ Ring

    @Override
    public void submit(AgreedItem item) {
        if (item instanceof AgreedItem.GroupState) {
            controlQueue.add(item);
        } else {
            clientQueue.add(item);
        }
    }

    @Override
    public int drainTo(OrderedSink sink) {
        int n = 0;
        Delivery d;
        while ((d = deliveries.poll()) != null) {
            n++;
            if (d instanceof ItemDelivery i) {
                sink.deliver(i.ringId(), i.seq(), i.item());
            } else if (d instanceof TransitionalDelivery t) {
                sink.transitional(t.oldRingId(), t.newRingId(), t.daemons());
            } else {
                RegularDelivery r = (RegularDelivery) d;
                sink.regular(r.ringId(), r.daemons());
            }
        }
        return n;
    }

    @Override
    public long configurationId() {
        return regular == null ? 0 : regular.id;
    }

    @Override
    public List<Integer> members() {
        return state == State.OPERATIONAL && regular != null ? regular.members : List.of();
    }

    /** Whether the ring is operational (not forming a new configuration). */
    public boolean operational() {
        return state == State.OPERATIONAL;
    }

    @Override
    public String toString() {
        Gather g = gather;
        RingInstance r = current;
        return "d" + me + " " + state + (r == null ? "" : " ring " + r.id + " " + r.members + " stamp " + r.lastStamp
                + " aru " + r.store.aru() + " high " + r.store.highSeq() + " delivered " + r.delivered)
                + (g == null ? "" : " proc " + g.procSet() + " fail " + g.failSet() + " consensus " + g.consensus())
                + (state == State.COMMIT ? " commit " + commitRingId + " " + commitMembers : "")
                + " regular " + (regular == null ? 0 : regular.id) + " seqMax " + ringSeqMax
                + " heardByAll " + mergeCandidates.heardByAll();
    }

    /** Datagrams dropped because they could not be decoded. */
    public long droppedDatagrams() {
        return droppedDatagrams;
    }

    @Override
    public int heldMessages() {
        int n = clientQueue.size() + controlQueue.size() + recoveryQueue.size();
        if (regular != null) {
            n += regular.store.size();
        }
        if (current != null && current != regular) {
            n += current.store.size();
        }
        return n;
    }

    @Override
    public List<AgreedItem> withdrawClientItems() {
        List<AgreedItem> items = new ArrayList<>(clientQueue);
        clientQueue.clear();
        return items;
    }

    @Override
    public void openClientTraffic(long configurationId) {
        RingInstance r = regular;
        if (state == State.OPERATIONAL && r != null && r.id == configurationId) {
            clientOpen = true;
        }
    }

    @Override
    public void takeOutputs(Consumer<? super Output> out) {
        for (Output o : outputs) {
            out.accept(o);
        }
        outputs.clear();
    }

    @Override
    public long nextDeadlineNanos() {
        if (!started) {
            return Long.MAX_VALUE;
        }
        Departure dep = departure;
        if (dep != null && (dep.announced() || dep.left())) {
            return dep.nextDeadlineNanos();
        }
        if (!selfQueue.isEmpty()) {
            return now;
        }
        long d = Math.min(tokenLossAt, retransmitAt);
        d = Math.min(d, Math.min(joinAt, consensusAt));
        d = Math.min(d, Math.min(commitRetransmitAt, beaconAt));
        if (heldToken != null) {
            d = Math.min(d, holdEnds() ? now : holdUntil);
        }
        if (dep != null) {
            d = Math.min(d, dep.nextDeadlineNanos());
        }
        return d;
    }

    @Override
    public void receive(int fromDaemon, byte[] datagram, long nowNanos) {
        advance(nowNanos);
        Packet p;
        try {
            p = Packet.decode(datagram);
        } catch (WireException e) {
            droppedDatagrams++;
            return;
        }
        receivedBytes = datagram;
        try {
            handle(p);
        } catch (WireException e) {
            // A well-framed packet whose body (an item) is malformed.
            droppedDatagrams++;
        } finally {
            receivedBytes = null;
        }
    }

    @Override
    public void tick(long nowNanos) {
        advance(nowNanos);
        if (departureTick()) {
            return;
        }
        int pending = selfQueue.size();
        for (int i = 0; i < pending; i++) {
            byte[] b = selfQueue.poll();
            try {
                handle(Packet.decode(b));
            } catch (WireException e) {
                droppedDatagrams++;
            }
        }
        switch (state) {
            case GATHER -> gatherTimers();
            case COMMIT -> {
                if (now >= tokenLossAt) {
                    enterGather(commitMembers);
                } else {
                    retransmitCommit();
                }
            }
            case RECOVERY, OPERATIONAL -> tokenTimers();
        }
        announceLeaveIfReady();
    }

    private void advance(long nowNanos) {
        if (!started) {
            now = Math.max(now, nowNanos);
            started = true;
            enterGather(List.of(me));
            return;
        }
        long deadline = nextDeadlineNanos();
        now = Math.max(now, nowNanos);
        if (stallGuard.graceFor(deadline, now)) {
            // Woken long after asking to be: this daemon stalled, so its silence timers measured its
            // own deafness. Give the others a full timeout from now; the token or their joins are
            // most likely waiting right behind this input.
            if (tokenLossAt != Long.MAX_VALUE) {
                tokenLossAt = Math.max(tokenLossAt, now + tokenLossNanos);
            }
            if (consensusAt != Long.MAX_VALUE) {
                consensusAt = Math.max(consensusAt, now + consensusTimeoutNanos);
            }
        }
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(Packet p) {
        Departure dep = departure;
        if (dep != null && (dep.announced() || dep.left())) {
            // Gone from the ring: only the others' answers to the announcement matter now.
            if (p instanceof JoinPacket j) {
                dep.answered(j, me);
            } else if (p instanceof BeaconPacket b && ringSeqOf(b.ringId()) > ringSeqOf(dep.ringId())) {
                dep.answeredBy(b.sender());
            } else if (p instanceof MessagePacket m && ringSeqOf(m.ringId()) > ringSeqOf(dep.ringId())) {
                dep.answeredBy(m.sender());
            }
            return;
        }
        if (p instanceof TokenPacket t) {
            onToken(t);
        } else if (p instanceof MessagePacket m) {
            onMessage(m);
        } else if (p instanceof JoinPacket j) {
            onJoin(j);
        } else if (p instanceof CommitPacket c) {
            onCommit(c);
        } else if (p instanceof LeavePacket l) {
            onLeave(l);
        } else {
            onBeacon((BeaconPacket) p);
        }
    }

    private void send(int to, Packet p) {
        byte[] bytes = p.encode();
        if (to == me) {
            selfQueue.add(bytes);
        } else {
            outputs.add(new Output.SendDatagram(to, bytes));
        }
    }

    private void broadcast(byte[] bytes) {
        outputs.add(new Output.BroadcastDatagram(bytes));
    }

    private static long ringSeqOf(long ringId) {
        return ringId >>> RING_SEQ_SHIFT;
    }

    // ------------------------------------------------------------------ gather

    /**
     * Starts gathering. A daemon that starts a gather on its own (token lost, a stranger heard)
     * opens a new round; one that follows another's join takes that join's round.
     */
    private void enterGather(List<Integer> proc) {
        enterGather(proc, null);
    }

    private void enterGather(List<Integer> proc, @Nullable JoinPacket cause) {
        if (cause == null) {
            ringSeqMax++;
        } else {
            ringSeqMax = Math.max(ringSeqMax, cause.ringSeqMax());
        }
        state = State.GATHER;
        stallGuard.progress();
        gather = new Gather(me, proc, ringSeqMax);
        gatherStart = now;
        joinAt = now;
        consensusAt = now + consensusTimeoutNanos;
        current = null;
        heldToken = null;
        holdUntil = Long.MAX_VALUE;
        pacing = false;
        lastCommitSent = null;
        commitRetransmitAt = Long.MAX_VALUE;
        tokenLossAt = Long.MAX_VALUE;
        retransmitAt = Long.MAX_VALUE;
        beaconAt = Long.MAX_VALUE;
        plan = null;
        recoveryQueue.clear();
        tokenStarted = false;
        clientOpen = false;
        gatherTimers();
    }

    private void gatherTimers() {
        Gather g = gather;
        if (g == null) {
            return;
        }
        if (now >= consensusAt) {
            g.failUnresponsive();
            consensusAt = now + consensusTimeoutNanos;
            joinAt = now;
        }
        if (now >= joinAt) {
            sendJoin();
        }
        tryConsensus();
    }

    private void sendJoin() {
        Gather g = gather;
        if (g == null) {
            return;
        }
        JoinPacket j = g.join(regular == null ? 0 : regular.id);
        broadcast(j.encode());
        joinAt = now + joinIntervalNanos;
    }

    private void onJoin(JoinPacket j) {
        if (j.sender() == me) {
            return;
        }
        switch (state) {
            case OPERATIONAL, RECOVERY -> {
                RingInstance r = current;
                if (r == null) {
                    return;
                }
                boolean member = r.members.contains(j.sender());
                // A join from a member that was sent before this ring formed is stale; one from a
                // member that knows this ring means the member gave up on it.
                if (member && j.ringSeqMax() < ringSeqOf(r.id)) {
                    return;
                }
                if (!member && (state == State.RECOVERY || j.failSet().contains(me))) {
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
                if (!member && j.ringSeqMax() < ringSeqOf(r.id)) {
                    // A merge in a round below this ring's: open a fresh round with the stranger's
                    // daemons in it; its members move up to that round when they hear this join.
                    TreeSet<Integer> proc = new TreeSet<>(r.members);
                    proc.addAll(j.procSet());
                    enterGather(new ArrayList<>(proc));
                    gatherJoin(j);
                    return;
                }
                List<Integer> proc = new ArrayList<>(r.members);
                proc.add(j.sender());
                enterGather(proc, j);
                gatherJoin(j);
            }
            case COMMIT -> {
                if (commitMembers.contains(j.sender()) && j.ringSeqMax() >= ringSeqOf(commitRingId)) {
                    enterGather(commitMembers, j);
                    gatherJoin(j);
                }
            }
            case GATHER -> gatherJoin(j);
        }
    }

    private void gatherJoin(JoinPacket j) {
        Gather g = gather;
        if (g == null) {
            return;
        }
        int before = g.procSet().size();
        boolean changed = g.onJoin(j);
        changed |= failDeparted(g);
        ringSeqMax = Math.max(ringSeqMax, g.round());
        if (changed) {
            if (g.procSet().size() > before) {
                // A newcomer gets a full consensus timeout to answer.
                consensusAt = now + consensusTimeoutNanos;
            }
            sendJoin();
        }
        tryConsensus();
    }

    private void tryConsensus() {
        Gather g = gather;
        if (state != State.GATHER || g == null || now < gatherStart + joinIntervalNanos || !g.consensus()) {
            return;
        }
        List<Integer> members = g.members();
        if (members.get(0) != me) {
            return;
        }
        ringSeqMax++;
        long ringId = (ringSeqMax << RING_SEQ_SHIFT) | me;
        List<CommitPacket.Slot> slots = new ArrayList<>(members.size());
        for (int m : members) {
            slots.add(m == me ? mySlot() : new CommitPacket.Slot(m, false, 0, 0, 0, 0));
        }
        enterCommit(ringId, members);
        forwardCommit(new CommitPacket(me, ringId, 1, slots));
    }

    private CommitPacket.Slot mySlot() {
        RingInstance r = regular;
        if (r == null) {
            return new CommitPacket.Slot(me, true, 0, initialSeq, initialSeq, initialSeq);
        }
        return new CommitPacket.Slot(me, true, r.id, r.store.aru(), r.store.highSeq(), r.knownSafe);
    }

    // ------------------------------------------------------------------ commit

    private void enterCommit(long ringId, List<Integer> members) {
        state = State.COMMIT;
        commitRingId = ringId;
        commitMembers = List.copyOf(members);
        gather = null;
        joinAt = Long.MAX_VALUE;
        consensusAt = Long.MAX_VALUE;
        tokenLossAt = now + tokenLossNanos;
    }

    private void forwardCommit(CommitPacket c) {
        List<Integer> m = c.members();
        int to = m.get((m.indexOf(me) + 1) % m.size());
        lastCommitSent = c;
        lastCommitTo = to;
        commitRetransmitAt = now + tokenRetransmitNanos;
        send(to, c);
    }

    private void retransmitCommit() {
        CommitPacket c = lastCommitSent;
        if (c != null && now >= commitRetransmitAt) {
            send(lastCommitTo, c);
            commitRetransmitAt = now + tokenRetransmitNanos;
        }
    }

    private void onCommit(CommitPacket c) {
        ringSeqMax = Math.max(ringSeqMax, ringSeqOf(c.ringId()));
        List<Integer> members = c.members();
        int idx = members.indexOf(me);
        if (idx < 0) {
            return;
        }
        boolean rep = members.get(0) == me;
        boolean allFilled = c.slots().stream().allMatch(CommitPacket.Slot::filled);
        if (c.rotation() == 1) {
            if (state == State.GATHER && gather != null && members.equals(gather.members()) && !rep) {
                List<CommitPacket.Slot> slots = new ArrayList<>(c.slots());
                slots.set(idx, mySlot());
                enterCommit(c.ringId(), members);
                forwardCommit(new CommitPacket(me, c.ringId(), 1, slots));
            } else if (state == State.COMMIT && c.ringId() == commitRingId && rep && allFilled) {
                CommitPacket second = new CommitPacket(me, c.ringId(), 2, c.slots());
                enterRecovery(second);
                forwardCommit(second);
            }
        } else if (allFilled) {
            if (state == State.COMMIT && c.ringId() == commitRingId && !rep) {
                enterRecovery(c);
                forwardCommit(new CommitPacket(me, c.ringId(), 2, c.slots()));
            } else if (state == State.RECOVERY && rep && current != null && current.id == c.ringId()
                    && !tokenStarted) {
                tokenStarted = true;
                lastCommitSent = null;
                commitRetransmitAt = Long.MAX_VALUE;
                RingInstance r = current;
                long[] arus = new long[r.members.size()];
                java.util.Arrays.fill(arus, initialSeq);
                TokenPacket first = new TokenPacket(me, r.id, 0, initialSeq, initialSeq, -1, 0, 0, false, arus,
                        new boolean[arus.length], new long[0], List.of(), List.of());
                r.lastStamp = -1;
                acceptToken(first);
            }
        }
    }

    // ------------------------------------------------------------------ recovery

    private void enterRecovery(CommitPacket c) {
        state = State.RECOVERY;
        RingInstance r = new RingInstance(c.ringId(), c.members(), me, initialSeq);
        current = r;
        RingInstance old = regular;
        RecoveryPlan p = RecoveryPlan.of(c, me, old == null ? 0 : old.id, initialSeq);
        plan = p;
        recoveryQueue.clear();
        if (old != null) {
            // Bounded by what the store can hold, whatever a (corrupt) commit token claims.
            long to = Seq.min(p.highSeq(), old.store.highSeq());
            for (long s = Seq.max(p.lowAru(), old.store.discardedUpTo()) + 1; Seq.le(s, to); s++) {
                MessageStore.Stored st = old.store.get(s);
                if (st != null && (Seq.lt(p.maxAru(), s) || p.maxAruHolder() == me)) {
                    recoveryQueue.add(st);
                }
            }
        }
        tokenStarted = false;
        tokenLossAt = now + tokenLossNanos;
        retransmitAt = Long.MAX_VALUE;
    }

    /**
     * Every member coming from this daemon's old ring now holds the same old messages: deliver the
     * old ring's remainder as EVS says, then install the new ring as the regular configuration.
     */
    private void finishRecovery() {
        RingInstance r = current;
        RecoveryPlan p = plan;
        if (r == null || p == null) {
            throw new IllegalStateException("recovery without a ring or plan");
        }
        RingInstance old = regular;
        if (old == null) {
            deliveries.add(new TransitionalDelivery(0, r.id, p.transitional()));
        } else {
            // In the old regular configuration: everything in order up to the first hole, SAFE
            // messages only if some transitional member knew every old member held them.
            long s = old.delivered;
            while (true) {
                long n = s + 1;
                MessageStore.Stored st = old.store.get(n);
                if (st == null || (st.packet().safe() && Seq.lt(p.safeOld(), n))) {
                    break;
                }
                deliverStored(old, n, st);
                s = n;
            }
            old.delivered = s;
            deliveries.add(new TransitionalDelivery(old.id, r.id, p.transitional()));
            // In the transitional configuration: the rest in order; after a hole, only messages of
            // transitional members, since others' may depend on the missing one. Each transitional
            // configuration delivers its own subset, so its items carry its own id: a view a JOIN
            // installs here must not share its id with the same JOIN seen by another side.
            long transitionalId = transitionalId(old.id, r.id);
            boolean hole = false;
            // Every transitional member holds the same messages now, so this bound is the same at each.
            long to = Seq.min(p.highSeq(), old.store.highSeq());
            for (long n = s + 1; Seq.le(n, to); n++) {
                MessageStore.Stored st = old.store.get(n);
                if (st == null) {
                    hole = true;
                    continue;
                }
                if (hole && !p.transitional().contains(st.packet().sender())) {
                    continue;
                }
                AgreedItem item = st.item();
                if (item != null) {
                    deliveries.add(new ItemDelivery(transitionalId, n, item));
                }
            }
        }
        regular = r;
        state = State.OPERATIONAL;
        plan = null;
        recoveryQueue.clear();
        clientOpen = false;
        lastCommitSent = null;
        commitRetransmitAt = Long.MAX_VALUE;
        // Every member beacons, not only the representative: a merge needs to know that each
        // member of the other ring can be heard (MergeCandidates).
        beaconAt = now + mergeDetectNanos;
        mergeCandidates.newRing();
        deliveries.add(new RegularDelivery(r.id, r.members));
    }

    /**
     * The id of the transitional configuration from ring {@code oldRingId} to ring {@code newRingId}:
     * a mix of the two with the sign bit set, so it never equals a ring id (those are positive).
     */
    public static long transitionalId(long oldRingId, long newRingId) {
        long z = oldRingId * 0x9E3779B97F4A7C15L + newRingId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) | Long.MIN_VALUE;
    }

    private void deliverStored(RingInstance r, long seq, MessageStore.Stored st) {
        AgreedItem item = st.item();
        if (item != null) {
            deliveries.add(new ItemDelivery(r.id, seq, item));
        }
    }

    // ------------------------------------------------------------------ token

    private void onToken(TokenPacket t) {
        RingInstance r = current;
        if ((state != State.RECOVERY && state != State.OPERATIONAL) || r == null || t.ringId() != r.id) {
            return;
        }
        if (t.memberArus().length != r.members.size() || t.stamp() <= r.lastStamp) {
            return;
        }
        if (state == State.RECOVERY) {
            // The new ring runs: the commit token did its job.
            lastCommitSent = null;
            commitRetransmitAt = Long.MAX_VALUE;
        }
        acceptToken(t);
    }

    private void acceptToken(TokenPacket t) {
        RingInstance r = current;
        if (r == null) {
            return;
        }
        r.lastStamp = t.stamp();
        tokenLossAt = now + tokenLossNanos;
        stallGuard.progress();
        r.lastToken = null;
        retransmitAt = Long.MAX_VALUE;
        if (state == State.OPERATIONAL && r.myIndex == 0 && idle(t)) {
            heldToken = t;
            holdUntil = now + tokenHoldNanos;
            return;
        }
        if (state == State.OPERATIONAL && r.myIndex == 0 && light(t)
                && now - (rotationStartedAt + rotationMinNanos) < 0) {
            // Light traffic: a token that came round sooner than the minimum rotation waits for it, or
            // for a visit's worth of messages. Every rotation costs every daemon a datagram in and out
            // whatever it carries; unpaced, a few messages in flight kept the token spinning as fast as
            // the CPUs allowed, and on cores shared with the daemons' clients that spin left less CPU
            // for the messages than a flat-out run has (a steady rate carried less than flat out).
            heldToken = t;
            holdUntil = rotationStartedAt + rotationMinNanos;
            pacing = true;
            return;
        }
        processToken(t);
    }

    /** Little queued on the ring: the last rotation's backlog is under one visit's window, and nothing to retransmit. */
    private boolean light(TokenPacket t) {
        return rotationMinNanos > 0 && t.rtr().length == 0 && t.backlog() < personalWindow
                && backlog() < personalWindow && controlQueue.isEmpty();
    }

    /** Whether a held token should go on before its hold time: work for an idle hold, a full visit for a pacing one. */
    private boolean holdEnds() {
        return pacing ? backlog() >= personalWindow || !controlQueue.isEmpty() : hasWork();
    }

    private boolean idle(TokenPacket t) {
        return t.fcc() == 0 && t.rtr().length == 0 && t.aru() == t.seq() && !hasWork();
    }

    private boolean hasWork() {
        return !controlQueue.isEmpty() || (clientOpen && !clientQueue.isEmpty());
    }

    private void tokenTimers() {
        RingInstance r = current;
        if (r == null) {
            return;
        }
        if (now >= tokenLossAt) {
            enterGather(r.members);
            return;
        }
        retransmitCommit();
        TokenPacket held = heldToken;
        if (held != null && (now >= holdUntil || holdEnds())) {
            heldToken = null;
            holdUntil = Long.MAX_VALUE;
            pacing = false;
            processToken(held);
        }
        TokenPacket last = r.lastToken;
        if (last != null && now >= retransmitAt) {
            send(r.successor(), last);
            retransmitAt = now + tokenRetransmitNanos;
        }
        if (state == State.OPERATIONAL && now >= beaconAt) {
            broadcast(new BeaconPacket(me, r.id, r.members, mergeCandidates.heardByAll()).encode());
            beaconAt = now + mergeDetectNanos;
        }
    }

    private void processToken(TokenPacket t) {
        RingInstance r = current;
        if (r == null) {
            return;
        }
        if (r.myIndex == 0) {
            rotationStartedAt = now;
        }
        long seq = t.seq();
        // 1. Answer the retransmission requests this daemon can.
        List<Long> rtr = new ArrayList<>(t.rtr().length);
        int retransmitted = 0;
        for (long want : t.rtr()) {
            if (Seq.le(want, t.aru())) {
                continue; // every member holds it already
            }
            MessageStore.Stored st = r.store.get(want);
            if (st != null) {
                broadcast(st.raw());
                retransmitted++;
            } else if (!rtr.contains(want)) {
                rtr.add(want);
            }
        }
        // 2. Multicast new messages within the windows: personal per visit, global per rotation,
        //    and never more outstanding (not yet held by all) than twice the global window.
        int othersLastRotation = Math.max(0, t.fcc() - r.sentLastVisit);
        long outstanding = seq - t.aru();
        long allowed = Math.min(personalWindow, globalWindow - othersLastRotation - retransmitted);
        allowed = Math.min(allowed, 2L * globalWindow - outstanding);
        int sent = 0;
        List<byte[]> raws = new ArrayList<>();
        while (sent < allowed) {
            MessagePacket m = nextMessage(r, seq + 1);
            if (m == null) {
                break;
            }
            seq++;
            byte[] raw = m.encode();
            // The item just encoded is stored as it is: decoding it again copied every payload once more.
            r.store.add(new MessageStore.Stored(m, m.kind() == MessagePacket.KIND_ITEM ? nextItem : null, raw));
            raws.add(raw);
            sent++;
        }
        // Accelerated ring: the last few go out after the token, so the next holder starts sooner.
        int afterToken = Math.min(accelerated, raws.size());
        for (int i = 0; i < raws.size() - afterToken; i++) {
            broadcast(raws.get(i));
        }
        // 3. Ask for what this daemon misses. With the accelerated ring, messages above the seq the
        //    token had on this daemon's last visit may have been sent after it and still be in
        //    flight: they are asked for on the next visit, not at once.
        long askUpTo = accelerated > 0 ? Seq.min(seq, r.seqLastVisit) : seq;
        r.seqLastVisit = t.seq();
        for (long s = r.store.aru() + 1; Seq.le(s, askUpTo) && rtr.size() < TokenPacket.MAX_RTR; s++) {
            if (!r.store.has(s) && !rtr.contains(s)) {
                rtr.add(s);
            }
        }
        // 4. Record what this daemon holds; the minimum over members is what all hold.
        long[] arus = t.memberArus().clone();
        arus[r.myIndex] = r.store.aru();
        boolean[] done = t.memberDone().clone();
        if (state == State.RECOVERY && recoveryQueue.isEmpty()) {
            done[r.myIndex] = true;
        }
        long min = arus[0];
        int minAt = 0;
        for (int i = 1; i < arus.length; i++) {
            if (Seq.lt(arus[i], min)) {
                min = arus[i];
                minAt = i;
            }
        }
        r.knownSafe = Seq.max(r.knownSafe, min);
        boolean recovered = t.recovered();
        if (state == State.RECOVERY && !recovered && min == seq && rtr.isEmpty() && allTrue(done)) {
            recovered = true;
        }
        int backlog = Math.max(0, t.backlog() - r.backlogLastVisit) + backlog();
        r.backlogLastVisit = backlog();
        int fcc = othersLastRotation + sent + retransmitted;
        r.sentLastVisit = sent + retransmitted;
        long[] rtrArr = new long[rtr.size()];
        for (int i = 0; i < rtrArr.length; i++) {
            rtrArr[i] = rtr.get(i);
        }
        // Which other rings every member hears: the representative closes last rotation's tally and
        // opens the next with its own; each member narrows it to what it hears too.
        List<Integer> mine = mergeCandidates.heardRecently(r.members, now);
        List<Integer> heard = r.myIndex == 0 ? MergeCandidates.both(t.hearing(), mine) : t.heard();
        List<Integer> hearing = r.myIndex == 0 ? mine : MergeCandidates.both(t.hearing(), mine);
        mergeCandidates.rotationComplete(heard);
        TokenPacket next = new TokenPacket(me, r.id, t.stamp() + 1, seq, min, min == seq ? -1 : r.members.get(minAt),
                fcc, backlog, recovered, arus, done, rtrArr, hearing, heard);
        if (state == State.RECOVERY && recovered) {
            finishRecovery();
        }
        if (state == State.OPERATIONAL) {
            deliverInOrder(r);
            r.store.discardUpTo(Seq.min(r.knownSafe, r.delivered));
        }
        r.lastToken = next;
        retransmitAt = now + tokenRetransmitNanos;
        send(r.successor(), next);
        for (int i = raws.size() - afterToken; i < raws.size(); i++) {
            broadcast(raws.get(i));
        }
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }

    private int backlog() {
        return controlQueue.size() + (clientOpen ? clientQueue.size() : 0) + recoveryQueue.size();
    }

    /** The item of the last {@link MessagePacket#KIND_ITEM} packet {@link #nextMessage} made, for its store entry. */
    private @Nullable AgreedItem nextItem;

    private @Nullable MessagePacket nextMessage(RingInstance r, long seq) {
        if (state == State.RECOVERY) {
            MessageStore.Stored old = recoveryQueue.poll();
            return old == null ? null
                    : new MessagePacket(me, r.id, seq, MessagePacket.KIND_RECOVERED, false, old.raw());
        }
        AgreedItem item = controlQueue.poll();
        if (item == null && clientOpen) {
            item = clientQueue.poll();
        }
        if (item == null) {
            return null;
        }
        boolean safe = item instanceof AgreedItem.Data d && d.level() == ServiceLevel.SAFE
                || item instanceof AgreedItem.Fragment f && f.safe();
        nextItem = item;
        return new MessagePacket(me, r.id, seq, MessagePacket.KIND_ITEM, safe, ItemCodec.encode(item));
    }

    // ------------------------------------------------------------------ messages

    private void onMessage(MessagePacket m) {
        RingInstance r = current;
        if ((state == State.RECOVERY || state == State.OPERATIONAL) && r != null && m.ringId() == r.id) {
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
            byte[] raw = receivedBytes;
            r.store.add(new MessageStore.Stored(m, item, raw != null ? raw : m.encode()));
            RingInstance reg = regular;
            if (old != null && state == State.RECOVERY && reg != null && old.ringId() == reg.id) {
                reg.store.add(new MessageStore.Stored(old, oldItem, m.body()));
            }
            if (state == State.OPERATIONAL) {
                deliverInOrder(r);
            }
            return;
        }
        // A stranger's message alone does not start a merge: only beacons heard both ways do.
    }

    private void onBeacon(BeaconPacket b) {
        RingInstance r = current;
        if (b.sender() == me || (r != null && (b.ringId() == r.id || r.members.contains(b.sender())))) {
            return;
        }
        mergeCandidates.beacon(b, now);
        if (state == State.OPERATIONAL && r != null && mergeCandidates.mutual(b, r.members)) {
            foreign(r, b.members());
        }
    }

    /** Another ring hears this one and is heard by it entirely: gather to merge with all of it. */
    private void foreign(RingInstance r, List<Integer> others) {
        TreeSet<Integer> proc = new TreeSet<>(r.members);
        proc.addAll(others);
        enterGather(new ArrayList<>(proc));
    }

    private void deliverInOrder(RingInstance r) {
        while (true) {
            long n = r.delivered + 1;
            MessageStore.Stored st = r.store.get(n);
            if (st == null || (st.packet().safe() && Seq.lt(r.knownSafe, n))) {
                return;
            }
            r.delivered = n;
            deliverStored(r, n, st);
        }
    }

    // ------------------------------------------------------------------ graceful leave

    @Override
    public void leave(long deadlineNanos) {
        if (departure == null) {
            departure = new Departure(deadlineNanos, tokenRetransmitNanos);
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
            broadcast(again.encode());
        }
        return dep.announced() || dep.left();
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
        RingInstance r = current;
        if (dep == null || dep.announced() || dep.left() || state != State.OPERATIONAL || r == null || r != regular
                || !clientQueue.isEmpty() || !controlQueue.isEmpty() || !deliveries.isEmpty()
                || ownMessageAbove(r, r.knownSafe)) {
            return;
        }
        TokenPacket held = heldToken;
        if (held != null) {
            heldToken = null;
            holdUntil = Long.MAX_VALUE;
            pacing = false;
            processToken(held);
            if (!deliveries.isEmpty()) {
                return; // the engine takes these first; the next tick announces
            }
        }
        List<Integer> others = new ArrayList<>(r.members);
        others.remove(Integer.valueOf(me));
        LeavePacket leave = dep.announce(new LeavePacket(me, r.id, r.knownSafe), others, now);
        if (leave != null) {
            broadcast(leave.encode());
        }
    }

    /** Whether this daemon sent a message of ring {@code r} above {@code seq} (all above the safe point are still stored). */
    private boolean ownMessageAbove(RingInstance r, long seq) {
        long high = r.store.highSeq();
        for (long s = seq + 1; Seq.le(s, high); s++) {
            MessageStore.Stored st = r.store.get(s);
            if (st != null && st.packet().sender() == me) {
                return true;
            }
        }
        return false;
    }

    /**
     * Another daemon of this daemon's ring leaves. Everything it sent is held by every member up to
     * the announced seq: deliver up to there now, in this configuration; then form the next one at
     * once, with the leaver counted failed, instead of waiting for the token to be lost.
     */
    private void onLeave(LeavePacket l) {
        RingInstance reg = regular;
        int leaver = l.sender();
        if (leaver == me || reg == null || l.ringId() != reg.id || !reg.members.contains(leaver)) {
            return; // another ring's (a stale one, say, from before the leaver restarted)
        }
        departed.put(leaver, reg.id);
        // Every member holds up to safeSeq, this daemon too; the bound guards against a corrupt packet.
        long safe = Seq.min(l.safeSeq(), reg.store.aru());
        if (Seq.lt(reg.knownSafe, safe)) {
            reg.knownSafe = safe;
        }
        RingInstance r = current;
        switch (state) {
            case OPERATIONAL, RECOVERY -> {
                if (r != null && r.members.contains(leaver)) {
                    if (state == State.OPERATIONAL && r == reg) {
                        deliverInOrder(r);
                    }
                    enterGather(r.members);
                    gatherDeparted();
                }
            }
            case COMMIT -> {
                if (commitMembers.contains(leaver)) {
                    enterGather(commitMembers);
                    gatherDeparted();
                }
            }
            case GATHER -> gatherDeparted();
        }
    }

    /** Counts the departed daemons failed in the current gather; sends the join again if that changed it. */
    private void gatherDeparted() {
        Gather g = gather;
        if (g != null && failDeparted(g)) {
            sendJoin();
            tryConsensus();
        }
    }

    /** Counts failed in {@code g} the daemons that announced they leave this daemon's ring; returns whether it changed. */
    private boolean failDeparted(Gather g) {
        RingInstance reg = regular;
        long ringId = reg == null ? 0 : reg.id;
        departed.values().removeIf(id -> id != ringId); // a new ring formed since: that leave is over
        boolean changed = false;
        for (int d : departed.keySet()) {
            if (g.procSet().contains(d)) {
                changed |= g.departed(d);
            }
        }
        return changed;
    }
}
