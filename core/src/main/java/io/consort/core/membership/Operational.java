package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
import io.consort.core.ring.RingState;
import io.consort.core.wire.TokenPacket;
import org.jspecify.annotations.Nullable;

/**
 * OPERATIONAL: the ring is installed; the token runs and its holder multicasts. An idle
 * representative holds the token a moment instead of spinning it; every member beacons so that
 * rings that hear each other can merge.
 */
final class Operational implements Phase {
    /** The installed ring, which is also the daemon's regular ring. */
    final RingState ring;
    final TokenTimers timers;
    long beaconAt;
    @Nullable TokenPacket heldToken;
    long holdUntil = Long.MAX_VALUE;

    Operational(RingState ring, TokenTimers timers, long beaconAt) {
        this.ring = ring;
        this.timers = timers;
        this.beaconAt = beaconAt;
    }

    /** Takes the held token, if any, to be processed now. */
    @Nullable TokenPacket release() {
        TokenPacket t = heldToken;
        heldToken = null;
        holdUntil = Long.MAX_VALUE;
        return t;
    }

    @Override
    public long nextDeadline(long now, boolean hasWork) {
        long d = Math.min(timers.next(), beaconAt);
        if (heldToken != null) {
            d = Math.min(d, hasWork ? now : holdUntil);
        }
        return d;
    }

    @Override
    public void grace(long now, TotemTimeouts t) {
        timers.grace(now, t);
    }

    @Override
    public void checkInvariants() {
        ring.checkInvariants();
        if (timers.tokenLossAt == Long.MAX_VALUE || beaconAt == Long.MAX_VALUE
                || (heldToken == null) != (holdUntil == Long.MAX_VALUE)) {
            throw new IllegalStateException("operational inconsistent: " + this);
        }
    }

    @Override
    public String toString() {
        return "OPERATIONAL " + ring;
    }
}
