package io.consort.daemon;

import io.consort.core.Engine;
import io.consort.protocol.RingFrame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Tells the daemon's sessions (those at session protocol 3 or later) where the daemon stands in the
 * ring: a RING frame right after WELCOME, and another whenever the phase, the configuration or its
 * members change. The state is read from the engine's public view after every batch, on the engine
 * thread, so it costs a few comparisons when nothing changed and never touches the engine's workings.
 *
 * <pre>{@code
 * RingAnnouncer ring = new RingAnnouncer("d1", 1, true, () -> names);
 * loop.afterBatch(ring::afterBatch);           // on the engine thread
 * ring.subscribe(connection);                  // when its WELCOME is written; it gets ring.current() with it
 * }</pre>
 *
 * Every method runs on the engine thread.
 */
final class RingAnnouncer {
    /** A session that takes RING frames: encodes and writes one at once, false if it is closing. */
    interface Listener {
        long sessionId();

        boolean announce(RingFrame state);
    }

    private final String daemonName;
    private final int daemonId;
    private final boolean clustered;
    private final Supplier<Map<Integer, String>> names;
    private final Map<Long, Listener> listeners = new LinkedHashMap<>();
    private RingFrame current;
    // What current was computed from: compared first, so an unchanged ring costs no allocation.
    private int lastPhase = -1;
    private long lastId;
    private List<Integer> lastMembers = List.of();
    private Map<Integer, String> lastNames = Map.of();

    RingAnnouncer(String daemonName, int daemonId, boolean clustered, Supplier<Map<Integer, String>> names) {
        this.daemonName = daemonName;
        this.daemonId = daemonId;
        this.clustered = clustered;
        this.names = names;
        this.current = new RingFrame(clustered ? RingFrame.GATHERING : RingFrame.REGULAR, 0, daemonName, daemonId,
                clustered ? List.of() : List.of(daemonId), clustered ? List.of() : List.of(daemonName));
    }

    /** The state a new session gets with its WELCOME. */
    RingFrame current() {
        return current;
    }

    /** From now on {@code l} gets every change; the caller wrote {@link #current()} to it already. */
    void subscribe(Listener l) {
        listeners.put(l.sessionId(), l);
    }

    void unsubscribe(long sessionId) {
        listeners.remove(sessionId);
    }

    /** After every batch: recomputes the state and, if it changed, sends it to every subscribed session. */
    void afterBatch(Engine e) {
        List<Integer> members = clustered ? e.configurationMembers() : List.of(daemonId);
        int phase = clustered && members.isEmpty() ? RingFrame.GATHERING
                : e.groupsStable() ? RingFrame.REGULAR : RingFrame.TRANSITIONAL;
        long id = e.configurationId();
        Map<Integer, String> n = names.get();
        if (phase == lastPhase && id == lastId && members.equals(lastMembers) && n == lastNames) {
            return;
        }
        lastPhase = phase;
        lastId = id;
        lastMembers = List.copyOf(members);
        lastNames = n;
        List<String> memberNames = new ArrayList<>(members.size());
        for (int m : members) {
            memberNames.add(m == daemonId ? daemonName : n.getOrDefault(m, Integer.toString(m)));
        }
        RingFrame next = new RingFrame(phase, id, daemonName, daemonId, members, memberNames);
        if (next.equals(current)) {
            return;
        }
        current = next;
        listeners.values().removeIf(l -> !l.announce(next));
    }
}
