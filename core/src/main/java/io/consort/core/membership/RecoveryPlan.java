package io.consort.core.membership;

import io.consort.core.ring.Seq;
import io.consort.core.wire.CommitPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * What one daemon does in recovery, computed from the full commit token, identically at every
 * daemon that came from the same old ring.
 *
 * @param transitional the daemons of the new ring that come from this daemon's old ring (the
 *                     transitional configuration), ascending
 * @param lowAru       the lowest all-received-up-to among them: everything above may be missing somewhere
 * @param maxAru       the highest all-received-up-to among them
 * @param maxAruHolder the daemon holding {@code maxAru}, which alone re-sends the messages up to it
 * @param highSeq      the highest sequence number any of them holds
 * @param safeOld      the highest sequence number any of them knew held by every daemon of the old ring:
 *                     SAFE messages up to it are delivered in the old regular configuration
 */
public record RecoveryPlan(List<Integer> transitional, long lowAru, long maxAru, int maxAruHolder, long highSeq,
        long safeOld) {
    public RecoveryPlan {
        transitional = List.copyOf(transitional);
    }

    /**
     * The plan for daemon {@code self} whose old ring is {@code oldRingId} (0 for none: a daemon
     * that starts fresh forms its transitional configuration alone and recovers nothing).
     */
    public static RecoveryPlan of(CommitPacket commit, int self, long oldRingId, long initialSequence) {
        if (oldRingId == 0) {
            return new RecoveryPlan(List.of(self), initialSequence, initialSequence, self, initialSequence,
                    initialSequence);
        }
        List<Integer> t = new ArrayList<>();
        long low = 0;
        long max = 0;
        long high = 0;
        long safe = 0;
        int holder = -1;
        for (CommitPacket.Slot s : commit.slots()) {
            if (s.oldRingId() != oldRingId) {
                continue;
            }
            if (t.isEmpty()) {
                low = s.oldAru();
                max = s.oldAru();
                high = s.oldHighSeq();
                safe = s.oldSafe();
                holder = s.daemonId();
            } else {
                low = Seq.min(low, s.oldAru());
                if (Seq.lt(max, s.oldAru())) {
                    max = s.oldAru();
                    holder = s.daemonId();
                }
                high = Seq.max(high, s.oldHighSeq());
                safe = Seq.max(safe, s.oldSafe());
            }
            t.add(s.daemonId());
        }
        if (!t.contains(self)) {
            throw new IllegalStateException("daemon " + self + " is not in its own transitional set");
        }
        return new RecoveryPlan(t, low, max, holder, high, safe);
    }
}
