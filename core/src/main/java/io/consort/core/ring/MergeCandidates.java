package io.consort.core.ring;

import io.consort.core.wire.BeaconPacket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Which other rings this ring may merge with: only those whose every member it hears, and that
 * hear its every member.
 *
 * <p>Totem merges two rings as soon as one daemon hears a daemon of the other. On a link that
 * works one way only that never ends: a daemon of ring A hears ring B, starts a merge, a member of
 * B never hears A's joins and fails A's daemons, the rings re-form apart, the next beacon starts
 * it again, every few hundred milliseconds, and every client sees each round.
 *
 * <p>So merging takes evidence from both sides. Every member beacons; each notes the daemons of
 * other rings it heard lately; the token intersects those notes around the ring, so after a
 * rotation the ring knows which outside daemons every member hears ({@link #heardByAll}), and its
 * beacons say so. A ring merges with another when every member here hears every member there and
 * the other's beacon says every member there hears every member here. Both sides then reach the
 * same verdict, and a merge started by either is joined by the other (whose members hear the
 * joins, which name all of them); a one-way cut anywhere between the two rings fails it, and
 * neither side starts.
 */
public final class MergeCandidates {
    private final long freshNanos;
    private final TreeMap<Integer, Long> heardAt = new TreeMap<>();
    private List<Integer> heardByAll = List.of();

    /** Beacons older than {@code freshNanos} no longer count as hearing their sender. */
    public MergeCandidates(long freshNanos) {
        this.freshNanos = freshNanos;
    }

    /** A beacon of a daemon of another ring. */
    public void beacon(BeaconPacket b, long now) {
        heardAt.put(b.sender(), now);
    }

    /** Daemons outside {@code members} this daemon heard within the freshness window, ascending. */
    public List<Integer> heardRecently(Collection<Integer> members, long now) {
        heardAt.entrySet().removeIf(e -> now - e.getValue() > freshNanos);
        List<Integer> out = new ArrayList<>();
        for (int d : heardAt.keySet()) {
            if (!members.contains(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** The ids in both ascending lists, ascending. */
    public static List<Integer> both(List<Integer> a, List<Integer> b) {
        List<Integer> out = new ArrayList<>(Math.min(a.size(), b.size()));
        for (int x : a) {
            if (b.contains(x)) {
                out.add(x);
            }
        }
        return out;
    }

    /** The outcome of the last complete token rotation: the outside daemons every member hears. */
    public void rotationComplete(List<Integer> heard) {
        heardByAll = List.copyOf(heard);
    }

    /** The daemons of other rings every member of this ring heard, as of the last rotation. */
    public List<Integer> heardByAll() {
        return heardByAll;
    }

    /** A new ring: what the old one heard says nothing about the new members' hearing. */
    public void newRing() {
        heardByAll = List.of();
    }

    /** Whether this ring ({@code members}) and the ring of beacon {@code b} hear each other entirely. */
    public boolean mutual(BeaconPacket b, List<Integer> members) {
        return heardByAll.containsAll(b.members()) && b.hears().containsAll(members);
    }
}
