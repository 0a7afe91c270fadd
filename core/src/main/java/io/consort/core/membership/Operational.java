package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
import io.consort.core.ring.RingState;
import io.consort.core.wire.TokenPacket;
import org.jspecify.annotations.Nullable;

/**
 * OPERATIONAL: the ring is installed; the token runs and its holder multicasts. An idle
 * representative holds the token a moment instead of spinning it, and under light traffic it holds
 * a token that came round sooner than the minimum rotation ({@code pacing}); every member beacons so
 * that rings that hear each other can merge.
 */
final class Operational implements Phase {
    /** The installed ring, which is also the daemon's regular ring. */
    final RingState ring;
    final TokenTimers timers;
    long beaconAt;
    @Nullable TokenPacket heldToken;
    long holdUntil = Long.MAX_VALUE;
    /** The held token waits for the minimum rotation (light traffic), not because the ring is idle. */
    boolean pacing;
    /** When the representative last passed the token on: the start of the rotation under way. */
    long rotationStartedAt = Long.MIN_VALUE;

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
        pacing = false;
        return t;
    }

    /** {@code releaseHeld}: whether a held token should go on now (work for an idle hold, a visit's worth for pacing). */
    @Override
    public long nextDeadline(long now, boolean releaseHeld) {
        long d = Math.min(timers.next(), beaconAt);
        if (heldToken != null) {
            d = Math.min(d, releaseHeld ? now : holdUntil);
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
                || (heldToken == null) != (holdUntil == Long.MAX_VALUE) || pacing && heldToken == null) {
            throw new IllegalStateException("operational inconsistent: " + this);
        }
    }

    @Override
    public String toString() {
        return "OPERATIONAL " + ring;
    }
}
