package io.consort.core.membership;

import java.util.HashMap;
import java.util.Map;

/**
 * The other daemons that announced a graceful leave of this daemon's regular ring. They are counted
 * failed in every gather round until a new ring forms, so the ring re-forms without them at once
 * instead of after a consensus timeout.
 */
final class Departures {
    private final Map<Integer, Long> departed = new HashMap<>();

    /** {@code daemon} announced it leaves ring {@code ringId}. */
    void left(int daemon, long ringId) {
        departed.put(daemon, ringId);
    }

    /**
     * Counts failed in {@code g} the daemons that announced they leave ring {@code regularRingId}
     * (those of older rings are forgotten: a new ring formed since); returns whether {@code g} changed.
     */
    boolean fail(Gather g, long regularRingId) {
        departed.values().removeIf(id -> id != regularRingId);
        boolean changed = false;
        for (int d : departed.keySet()) {
            if (g.procSet().contains(d)) {
                changed |= g.departed(d);
            }
        }
        return changed;
    }
}
