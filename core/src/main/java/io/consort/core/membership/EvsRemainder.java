package io.consort.core.membership;

import io.consort.core.ring.Deliveries;
import io.consort.core.ring.MessageStore;
import io.consort.core.ring.RingId;
import io.consort.core.ring.RingState;
import io.consort.core.ring.Seq;

/**
 * Extended virtual synchrony's rule for the old ring's remainder, once recovery made every member
 * that came from the old ring hold the same old messages. In the old regular configuration:
 * everything in order up to the first hole, SAFE messages only if some transitional member knew
 * every old member held them. Then the transitional configuration, and in it the rest in order;
 * after a hole only messages of transitional members, since others' may depend on the missing one.
 *
 * <pre>{@code
 * EvsRemainder.deliver(oldRing, newRingId, plan, deliveries);
 * }</pre>
 */
final class EvsRemainder {
    private EvsRemainder() {
    }

    /** Delivers the remainder of {@code old} on the way to ring {@code newRingId}; {@code old} null for a fresh daemon. */
    static void deliver(RingState old, long newRingId, RecoveryPlan p, Deliveries out) {
        long s = old.delivered;
        while (true) {
            long n = s + 1;
            MessageStore.Stored st = old.store.get(n);
            if (st == null || (st.packet().safe() && Seq.lt(p.safeOld(), n))) {
                break;
            }
            out.stored(old.id, n, st);
            s = n;
        }
        old.delivered = s;
        out.transitional(old.id, newRingId, p.transitional());
        // Each transitional configuration delivers its own subset, so its items carry its own id: a
        // view a JOIN installs here must not share its id with the same JOIN seen by another side.
        long transitionalId = RingId.transitionalId(old.id, newRingId);
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
            out.stored(transitionalId, n, st);
        }
    }
}
