package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
import io.consort.core.ring.RecoveryQueue;
import io.consort.core.ring.RingState;

/**
 * RECOVERY: the new ring's token runs; the members re-send their old ring's messages
 * ({@link RecoveryQueue}) until all who came from that ring hold the same ones. Then the old
 * ring's remainder is delivered ({@link EvsRemainder}) and the new ring becomes operational.
 */
final class Recovering implements Phase {
    /** The new ring. */
    final RingState ring;
    final RecoveryPlan plan;
    final RecoveryQueue queue;
    /** The commit token's second rotation, sent again until the new ring's token shows it arrived. */
    final CommitRelay relay;
    final TokenTimers timers;
    /** The representative started the new ring's token (once). */
    boolean tokenStarted;

    Recovering(RingState ring, RecoveryPlan plan, RecoveryQueue queue, CommitRelay relay, long now, TotemTimeouts t) {
        this.ring = ring;
        this.plan = plan;
        this.queue = queue;
        this.relay = relay;
        this.timers = new TokenTimers(now + t.tokenLossTimeoutNanos());
    }

    @Override
    public long nextDeadline(long now, boolean hasWork) {
        return Math.min(timers.next(), relay.retransmitAt());
    }

    @Override
    public void grace(long now, TotemTimeouts t) {
        timers.grace(now, t);
    }

    @Override
    public void checkInvariants() {
        ring.checkInvariants();
        if (timers.tokenLossAt == Long.MAX_VALUE || !plan.transitional().contains(ring.members.get(ring.myIndex))) {
            throw new IllegalStateException("recovering inconsistent: " + this);
        }
    }

    @Override
    public String toString() {
        return "RECOVERY " + ring;
    }
}
