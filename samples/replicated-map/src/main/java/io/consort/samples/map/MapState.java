package io.consort.samples.map;

import io.consort.core.ViewId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replica's state: the entries, how many updates made them ({@code version}), the primary epoch it belongs
 * to, and which members still wait for a snapshot. Identical at every settled replica after the same prefix of
 * the order. Not thread-safe: {@link ReplicatedMap} guards it.
 */
final class MapState {
    private final TreeMap<String, String> entries;
    private final LinkedHashSet<String> pending;
    private long version;
    private long epoch;

    MapState() {
        this(Map.of(), List.of(), 0, 0);
    }

    MapState(Map<String, String> entries, Collection<String> pending, long version, long epoch) {
        this.entries = new TreeMap<>(entries);
        this.pending = new LinkedHashSet<>(pending);
        this.version = version;
        this.epoch = epoch;
    }

    static MapState of(MapCommand.Snapshot s) {
        return new MapState(s.entries(), s.pending(), s.version(), s.epoch());
    }

    void apply(MapCommand.Update u) {
        if (u.value() == null) {
            entries.remove(u.key());
        } else {
            entries.put(u.key(), u.value());
        }
        version++;
    }

    String get(String key) {
        return entries.get(key);
    }

    long version() {
        return version;
    }

    /** How many primary views this state's history went through; ranks states at a merge. */
    long epoch() {
        return epoch;
    }

    void epoch(long epoch) {
        this.epoch = epoch;
    }

    Map<String, String> entries() {
        return Map.copyOf(entries);
    }

    LinkedHashSet<String> pending() {
        return pending;
    }

    /** The snapshot of this state cut right after view {@code cut} and the {@code offset} events after it. */
    MapCommand.Snapshot snapshot(ViewId cut, int offset, boolean primary) {
        List<String> waiting = new ArrayList<>(pending);
        return new MapCommand.Snapshot(cut.configurationId(), cut.sequence(), offset, waiting, version, epoch,
                primary, new TreeMap<>(entries), waiting);
    }
}
