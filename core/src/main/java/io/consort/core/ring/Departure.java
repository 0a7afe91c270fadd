package io.consort.core.ring;

import io.consort.core.wire.JoinPacket;
import io.consort.core.wire.LeavePacket;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A daemon's graceful leave from its ring, as the leaver runs it: requested (waiting until all it
 * sent is held by every member), announced (a {@link LeavePacket} broadcast again every retransmit
 * interval until each other member answered with a join that counts the leaver failed), and left.
 * A deadline bounds the whole: a stop never hangs on a broken ring, it only falls back to what a
 * crash costs the others (a token-loss timeout).
 */
public final class Departure {
    private final long deadlineNanos;
    private final long retransmitNanos;
    private @Nullable LeavePacket announcement;
    private final TreeSet<Integer> unanswered = new TreeSet<>();
    private long retransmitAt = Long.MAX_VALUE;
    private boolean left;

    public Departure(long deadlineNanos, long retransmitNanos) {
        this.deadlineNanos = deadlineNanos;
        this.retransmitNanos = retransmitNanos;
    }

    public boolean announced() {
        return announcement != null;
    }

    /** Whether the daemon is out: every other member answered, or the deadline passed. */
    public boolean left() {
        return left;
    }

    /** Announces the leave to {@code others}; returns the packet to broadcast, or null when there is no one to tell. */
    public @Nullable LeavePacket announce(LeavePacket leave, List<Integer> others, long now) {
        announcement = leave;
        unanswered.addAll(others);
        if (unanswered.isEmpty()) {
            left = true;
            return null;
        }
        retransmitAt = now + retransmitNanos;
        return leave;
    }

    /** A join of another daemon: one that counts the leaver failed shows the announcement arrived there. */
    public void answered(JoinPacket j, int me) {
        if (j.failSet().contains(me)) {
            answeredBy(j.sender());
        }
    }

    /**
     * {@code daemon} no longer counts on the leaver: it answered, or it is heard in a newer ring,
     * which it formed without the leaver. The second matters when the leaver lost every join a
     * member sent before that member's new ring formed: the member then ignores the repeated
     * announcement (it names a ring it has left), but its beacons and messages show it moved on.
     */
    public void answeredBy(int daemon) {
        if (announcement != null && unanswered.remove(daemon) && unanswered.isEmpty()) {
            left = true;
        }
    }

    /** The ring the announcement names, or 0 before it. */
    public long ringId() {
        LeavePacket a = announcement;
        return a == null ? 0 : a.ringId();
    }

    /** Time passed: gives up at the deadline; returns the announcement when it is due again, else null. */
    public @Nullable LeavePacket tick(long now) {
        if (left) {
            return null;
        }
        if (now >= deadlineNanos) {
            left = true;
            return null;
        }
        if (announcement != null && now >= retransmitAt) {
            retransmitAt = now + retransmitNanos;
            return announcement;
        }
        return null;
    }

    /** The next time {@link #tick} has something to do. */
    public long nextDeadlineNanos() {
        return left ? Long.MAX_VALUE : Math.min(deadlineNanos, retransmitAt);
    }
}
