package io.consort.core.membership;

import io.consort.core.wire.JoinPacket;
import io.consort.core.WireVersions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The gather state of Totem's membership algorithm at one daemon: the daemons it believes alive
 * (proc set), those it believes failed (fail set), and the last join each peer sent. Consensus
 * is reached when every daemon of {@link #members()} sent a join with exactly this daemon's two
 * sets; then they all agree on who forms the new ring.
 *
 * <p>Sets only grow while gathering, so consensus always comes: at worst each daemon ends alone.
 */
public final class Gather {
    private final int self;
    private final TreeSet<Integer> proc = new TreeSet<>();
    private final TreeSet<Integer> fail = new TreeSet<>();
    private final Map<Integer, JoinPacket> joins = new HashMap<>();
    private final java.util.Set<Integer> heard = new java.util.HashSet<>();
    /** The wire versions each peer announced in this gather (a version-2 join cannot say more than 2). */
    private final Map<Integer, WireVersions> versions = new HashMap<>();

    private long round;

    /**
     * Starts gathering in round {@code round} with {@code initialProc} (this daemon is always added).
     * A round is a ring sequence number: every daemon's round is above any ring it has formed.
     */
    public Gather(int self, Collection<Integer> initialProc, long round) {
        this.self = self;
        this.round = round;
        proc.addAll(initialProc);
        proc.add(self);
    }

    /** The gather round, carried in this daemon's joins. */
    public long round() {
        return round;
    }

    /**
     * Takes in a join; returns whether this daemon's sets changed (its join must be sent again).
     *
     * <p>Fail sets belong to a round. A join of a newer round moves this daemon to that round and
     * clears its fail set: failures seen before are stale once a daemon formed a ring since. A join
     * of an older round only shows its sender is alive. Within a round, Totem's rules: sets are
     * merged, and a peer that counts this daemon failed is counted failed in return, since the
     * two cannot agree. Without rounds, two daemons that failed each other once keep feeding each
     * other that verdict after the network heals, and never merge.
     */
    public boolean onJoin(JoinPacket j) {
        int sender = j.sender();
        heard.add(sender);
        // Each join comes once per version its sender speaks: keep what the newest copy says.
        versions.merge(sender, j.versions(), (a, b) -> a.max() >= b.max() ? a : b);
        boolean changed = proc.add(sender);
        if (j.ringSeqMax() < round) {
            return changed;
        }
        if (j.ringSeqMax() > round) {
            round = j.ringSeqMax();
            fail.clear();
            joins.clear();
            changed = true;
        }
        if (fail.contains(sender)) {
            // A daemon this one counts failed is not in the new ring, and its sets are not taken:
            // on a one-way link it counts failed, in return, the daemons that cannot hear it, and
            // passing that on would fail them everywhere and break the ring into pieces. What it
            // knows still arrives through the members that do not count it failed.
            return changed;
        }
        joins.put(sender, j);
        if (j.failSet().contains(self)) {
            changed |= fail.add(sender);
            return changed;
        }
        changed |= proc.addAll(j.procSet());
        for (int f : j.failSet()) {
            changed |= fail.add(f);
        }
        return changed;
    }

    /**
     * The consensus timeout expired: counts failed every member that has sent no join at all since
     * the last timeout. Live daemons repeat their joins every join interval, well inside a consensus
     * timeout; one that merely disagrees is not failed, since merging sets settles disagreement (and
     * failing it would only break up a ring of daemons that can all hear each other). A daemon that
     * agreed and then died, the representative say, goes silent and is failed at the next timeout.
     */
    public void failUnresponsive() {
        for (int m : members()) {
            if (m != self && !heard.contains(m)) {
                fail.add(m);
            }
        }
        heard.clear();
    }

    /**
     * Counts {@code daemon} failed in this round because it announced that it leaves (a graceful
     * stop): it will send no join, and waiting a consensus timeout to find that out would only
     * delay the ring without it. Returns whether the fail set changed.
     */
    public boolean departed(int daemon) {
        return daemon != self && fail.add(daemon);
    }

    /** Proc set minus fail set, ascending: the new ring's members if consensus holds. */
    public List<Integer> members() {
        List<Integer> m = new ArrayList<>(proc.size());
        for (int p : proc) {
            if (!fail.contains(p)) {
                m.add(p);
            }
        }
        return m;
    }

    /** Whether every member sent a join with this daemon's sets. */
    public boolean consensus() {
        for (int m : members()) {
            if (m != self && !agrees(joins.get(m))) {
                return false;
            }
        }
        return true;
    }

    private boolean agrees(@Nullable JoinPacket j) {
        return j != null && j.procSet().equals(procSet()) && j.failSet().equals(failSet());
    }

    public List<Integer> procSet() {
        return List.copyOf(proc);
    }

    public List<Integer> failSet() {
        return List.copyOf(fail);
    }

    /** This daemon's join message. */
    public JoinPacket join(long regularRingId) {
        return new JoinPacket(self, round, regularRingId, procSet(), failSet());
    }

    /** This daemon's join message, announcing the wire versions it speaks. */
    public JoinPacket join(long regularRingId, WireVersions mine) {
        return new JoinPacket(self, round, regularRingId, procSet(), failSet(), mine);
    }

    /** The wire versions {@code daemon} announced in this gather; version 2 only if it announced none. */
    public WireVersions versionsOf(int daemon) {
        return versions.getOrDefault(daemon, WireVersions.VERSION_2_ONLY);
    }
}
