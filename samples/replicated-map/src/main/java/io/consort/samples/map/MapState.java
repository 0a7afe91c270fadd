package io.consort.samples.map;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import java.util.TreeMap;

/**
 * A replica's state: the entries, how many updates made them ({@code version}), and which members
 * still wait for a snapshot. Identical at every settled replica after the same prefix of the order.
 * Not thread-safe: {@link ReplicatedMap} guards it.
 */
final class MapState {
    private final TreeMap<String, String> entries;
    private final LinkedHashSet<String> pending;
    private long version;

    MapState() {
        this(Map.of(), List.of(), 0);
    }

    MapState(Map<String, String> entries, Collection<String> pending, long version) {
        this.entries = new TreeMap<>(entries);
        this.pending = new LinkedHashSet<>(pending);
        this.version = version;
    }

    static MapState of(MapCommand.Snapshot s) {
        return new MapState(s.entries(), s.pending(), s.version());
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

    Map<String, String> entries() {
        return Map.copyOf(entries);
    }

    LinkedHashSet<String> pending() {
        return pending;
    }

    /** The snapshot of this state cut at the view just processed. */
    MapCommand.Snapshot snapshot(io.consort.core.ViewId cut) {
        List<String> waiting = new ArrayList<>(pending);
        return new MapCommand.Snapshot(cut.configurationId(), cut.sequence(), waiting, version,
                new TreeMap<>(entries), waiting);
    }
}
