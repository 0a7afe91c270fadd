package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
/**
 * GATHER: exchanging joins until the daemons that see each other agree who they are. Holds the
 * {@link Gather} sets and two deadlines: the next join, and the consensus timeout.
 */
final class Gathering implements Phase {
    final Gather gather;
    /** When the gather began: consensus is not taken before a join interval passed. */
    final long start;
    long joinAt;
    long consensusAt;

    Gathering(Gather gather, long now, TotemTimeouts t) {
        this.gather = gather;
        this.start = now;
        this.joinAt = now;
        this.consensusAt = now + t.consensusTimeoutNanos();
    }

    /** Whether consensus may be taken at {@code now}: a join interval after the start, every member agreeing. */
    boolean agreed(long now, TotemTimeouts t) {
        return now >= start + t.joinIntervalNanos() && gather.consensus();
    }

    @Override
    public long nextDeadline(long now, boolean hasWork) {
        return Math.min(joinAt, consensusAt);
    }

    @Override
    public void grace(long now, TotemTimeouts t) {
        consensusAt = Math.max(consensusAt, now + t.consensusTimeoutNanos());
    }

    @Override
    public void checkInvariants() {
        if (joinAt == Long.MAX_VALUE || consensusAt == Long.MAX_VALUE || gather.procSet().isEmpty()) {
            throw new IllegalStateException("gathering without its timers or sets: " + this);
        }
    }

    @Override
    public String toString() {
        return "GATHER proc " + gather.procSet() + " fail " + gather.failSet() + " consensus " + gather.consensus();
    }
}
