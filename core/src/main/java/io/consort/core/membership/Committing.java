package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
import java.util.List;

/**
 * COMMIT: the commit token goes around the agreed members twice, collecting and then spreading
 * every member's old ring. Ends in RECOVERY, or back in GATHER when the token is lost.
 */
final class Committing implements Phase {
    final long ringId;
    final List<Integer> members;
    final CommitRelay relay = new CommitRelay();
    /** The new ring's wire version: the representative's choice, which its commit token's header carries. */
    final int wireVersion;
    long tokenLossAt;

    Committing(long ringId, List<Integer> members, int wireVersion, long now, TotemTimeouts t) {
        this.ringId = ringId;
        this.wireVersion = wireVersion;
        this.members = List.copyOf(members);
        this.tokenLossAt = now + t.tokenLossTimeoutNanos();
    }

    @Override
    public long nextDeadline(long now, boolean hasWork) {
        return Math.min(tokenLossAt, relay.retransmitAt());
    }

    @Override
    public void grace(long now, TotemTimeouts t) {
        tokenLossAt = Math.max(tokenLossAt, now + t.tokenLossTimeoutNanos());
    }

    @Override
    public void checkInvariants() {
        if (!io.consort.core.ring.RingId.valid(ringId) || members.isEmpty() || tokenLossAt == Long.MAX_VALUE) {
            throw new IllegalStateException("committing inconsistent: " + this);
        }
    }

    @Override
    public String toString() {
        return "COMMIT commit " + ringId + " " + members + " v" + wireVersion;
    }
}
