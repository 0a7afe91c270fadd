package io.consort.core.groups;

import io.consort.core.ViewId;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.ItemCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The group state exchange after a configuration change. Each daemon of the new configuration
 * reports its own sessions' memberships ({@link AgreedItem.GroupState}) through the agreed
 * stream; once all reports are delivered, every daemon rebuilds the same table from them: a
 * group's members are each daemon's members, daemons in ring order, each daemon's in its view
 * order. So member order is the same everywhere.
 *
 * <p>The vs-set of a member is the members that installed the same previous view and went
 * through the same configuration changes since, hence delivered the same messages. The second
 * half is tracked by the lineage: a hash of the configuration changes a daemon went through
 * since its last completed exchange.
 *
 * <p>A report is cut into parts that each fit one datagram, and the exchange completes when every
 * daemon's last part is in: a ring of a million groups re-forms through tens of thousands of
 * ordinary ring messages, under the ring's flow control and retransmission, while the token goes
 * round as always.
 *
 * <pre>{@code
 * GroupExchange x = new GroupExchange(1, "d1", seed, 1344);
 * for (AgreedItem.GroupState part : x.begin(configurationId, List.of(1, 2), table)) {
 *     ring.submit(part);
 * }
 * // as parts come out of the agreed stream, at the position of each:
 * if (x.offer(delivered)) {
 *     GroupExchange.Result views = x.complete(table, new ViewId(configurationId, seq));
 * }
 * }</pre>
 */
public final class GroupExchange {
    /**
     * A group's new NETWORK view: members in order, each local member's vs-set, and every vs-set of
     * the view (each once, in view order, sets in the order of their first member): the same at
     * every daemon, since every daemon has every report.
     */
    public record View(String group, List<String> members, Map<String, List<String>> vsSets,
            List<List<String>> allVsSets) {
        /** The vs-set of {@code member}, in view order. */
        public List<String> vsSetOf(String member) {
            List<String> v = vsSets.get(member);
            return v == null ? List.of() : v;
        }

    }

    /** The views the exchange installed, groups in name order. */
    public record Result(List<View> views) {
    }

    /** One daemon's report as its parts come in: entries in order, split entries joined again. */
    private static final class Report {
        final long lineage;
        final List<AgreedItem.GroupState.Entry> entries = new ArrayList<>();
        int nextPart;
        boolean complete;

        Report(long lineage) {
            this.lineage = lineage;
        }

        void add(List<AgreedItem.GroupState.Entry> part) {
            for (AgreedItem.GroupState.Entry e : part) {
                int lastIndex = entries.size() - 1;
                AgreedItem.GroupState.Entry prev = lastIndex < 0 ? null : entries.get(lastIndex);
                if (prev != null && prev.group().equals(e.group()) && prev.viewId().equals(e.viewId())) {
                    List<String> members = new ArrayList<>(prev.members());
                    members.addAll(e.members());
                    entries.set(lastIndex, new AgreedItem.GroupState.Entry(e.group(), e.viewId(), members));
                } else {
                    entries.add(e);
                }
            }
        }
    }

    private final int daemonId;
    private final String localSuffix;
    private final int partBytesMax;
    private long lineage;
    private long configurationId;
    private List<Integer> daemons = List.of();
    private final Map<Integer, Report> reports = new HashMap<>();
    private int completeReports;

    /** The exchange of daemon {@code daemonId} named {@code daemonName}, its report in one part whatever its size. */
    public GroupExchange(int daemonId, String daemonName, long seed) {
        this(daemonId, daemonName, seed, Integer.MAX_VALUE);
    }

    /**
     * The exchange of daemon {@code daemonId} named {@code daemonName}, its report cut into parts
     * whose encoding ({@code ItemCodec}) is at most {@code partBytesMax} bytes: each fits one
     * datagram, so a report of a million groups travels as ordinary ring messages under the
     * ring's flow control instead of as one item no datagram can carry.
     */
    public GroupExchange(int daemonId, String daemonName, long seed, int partBytesMax) {
        if (partBytesMax < MIN_PART_BYTES) {
            throw new IllegalArgumentException("partBytesMax must be at least " + MIN_PART_BYTES + ", was "
                    + partBytesMax);
        }
        this.daemonId = daemonId;
        this.localSuffix = "#" + daemonName;
        this.partBytesMax = partBytesMax;
        this.lineage = mix(-1L - daemonId, seed);
    }

    /** Room for the header and one entry of the longest group name and member name. */
    static final int MIN_PART_BYTES = ItemCodec.GROUP_STATE_HEADER_BYTES + 2 + 64 + 8 + 8 + 4 + 2 + 128;

    /** The daemon went through the change from {@code oldConfigurationId} to {@code newConfigurationId}. */
    public void transition(long oldConfigurationId, long newConfigurationId) {
        lineage = mix(mix(lineage, oldConfigurationId), newConfigurationId);
        // An exchange of the configuration that just ended can no longer complete: reports of it
        // still arriving in its remainder are ignored, here as at every daemon of the change.
        configurationId = 0;
        reports.clear();
        completeReports = 0;
    }

    /**
     * A new regular configuration of {@code daemons}: this daemon's report for it, in parts to
     * submit in order (at least one, the last marked).
     */
    public List<AgreedItem.GroupState> begin(long configurationId, List<Integer> daemons, GroupTable table) {
        return begin(configurationId, daemons, table, false);
    }

    /**
     * As {@link #begin(long, List, GroupTable)}; {@code whole}: the report in one part, for a ring
     * with daemons that predate parts (the previous release's format).
     */
    public List<AgreedItem.GroupState> begin(long configurationId, List<Integer> daemons, GroupTable table,
            boolean whole) {
        int partBytesMax = whole ? Integer.MAX_VALUE : this.partBytesMax;
        this.configurationId = configurationId;
        this.daemons = List.copyOf(daemons);
        reports.clear();
        completeReports = 0;
        List<AgreedItem.GroupState> parts = new ArrayList<>();
        List<AgreedItem.GroupState.Entry> entries = new ArrayList<>();
        int bytes = ItemCodec.GROUP_STATE_HEADER_BYTES;
        for (String name : table.names()) {
            GroupTable.Group g = table.group(name);
            if (g == null) {
                continue;
            }
            List<String> local = new ArrayList<>();
            int entryBytes = ItemCodec.groupStateEntryBytes(name);
            for (String m : g.memberView()) {
                if (!m.endsWith(localSuffix)) {
                    continue;
                }
                int memberBytes = ItemCodec.groupStateMemberBytes(m);
                if (bytes + entryBytes + memberBytes > partBytesMax) {
                    // This part is full: what is gathered of the group goes in it, the rest continues in the next.
                    if (!local.isEmpty()) {
                        entries.add(new AgreedItem.GroupState.Entry(name, g.viewId(), local));
                        local = new ArrayList<>();
                    }
                    parts.add(new AgreedItem.GroupState(daemonId, configurationId, lineage, parts.size(), false,
                            entries));
                    entries = new ArrayList<>();
                    bytes = ItemCodec.GROUP_STATE_HEADER_BYTES;
                    entryBytes = ItemCodec.groupStateEntryBytes(name);
                }
                local.add(m);
                entryBytes += memberBytes;
            }
            if (!local.isEmpty()) {
                entries.add(new AgreedItem.GroupState.Entry(name, g.viewId(), local));
                bytes += entryBytes;
            }
        }
        parts.add(new AgreedItem.GroupState(daemonId, configurationId, lineage, parts.size(), true, entries));
        return parts;
    }

    /**
     * Takes in a delivered part of a report; returns true when every daemon's report of the current
     * exchange is in. A daemon's parts come out of the agreed stream in the order it submitted them
     * (a regular configuration delivers without gaps); one out of that order is ignored, at every
     * daemon alike.
     */
    public boolean offer(AgreedItem.GroupState state) {
        if (state.configurationId() != configurationId || !daemons.contains(state.daemonId())) {
            return false;
        }
        Report r = reports.get(state.daemonId());
        if (r == null && state.part() == 0) {
            r = new Report(state.lineage());
            reports.put(state.daemonId(), r);
        }
        if (r == null || r.complete || r.nextPart != state.part() || r.lineage != state.lineage()) {
            return false;
        }
        r.add(state.groups());
        r.nextPart++;
        if (state.last()) {
            r.complete = true;
            completeReports++;
        }
        return completeReports == daemons.size() && reports.containsKey(daemonId);
    }

    /** Rebuilds {@code table} from the reports, every group in view {@code id}; returns the views to deliver. */
    public Result complete(GroupTable table, ViewId id) {
        Report mine = reported(daemonId);
        Map<String, ViewId> myViews = new HashMap<>();
        for (AgreedItem.GroupState.Entry e : mine.entries) {
            myViews.put(e.group(), e.viewId());
        }
        // group -> daemon -> that daemon's entry
        TreeMap<String, LinkedHashMap<Integer, AgreedItem.GroupState.Entry>> byGroup = new TreeMap<>();
        for (int d : daemons) {
            for (AgreedItem.GroupState.Entry e : reported(d).entries) {
                byGroup.computeIfAbsent(e.group(), g -> new LinkedHashMap<>()).put(d, e);
            }
        }
        table.clear();
        List<View> views = new ArrayList<>(byGroup.size());
        for (Map.Entry<String, LinkedHashMap<Integer, AgreedItem.GroupState.Entry>> ge : byGroup.entrySet()) {
            String group = ge.getKey();
            LinkedHashSet<String> memberSet = new LinkedHashSet<>();
            for (AgreedItem.GroupState.Entry e : ge.getValue().values()) {
                for (String m : e.members()) {
                    if (memberSet.add(m)) {
                        table.join(group, m, id);
                    }
                }
            }
            List<String> members = List.copyOf(memberSet);
            // Every daemon computes the vs-set of its own members only: those of daemons that
            // report the same previous view and the same lineage as this one.
            Map<String, List<String>> vs = new HashMap<>();
            ViewId myView = myViews.get(group);
            if (myView != null) {
                Set<String> same = new java.util.HashSet<>();
                for (Map.Entry<Integer, AgreedItem.GroupState.Entry> de : ge.getValue().entrySet()) {
                    if (de.getValue().viewId().equals(myView) && reported(de.getKey()).lineage == mine.lineage) {
                        same.addAll(de.getValue().members());
                    }
                }
                List<String> vsList = new ArrayList<>();
                for (String m : members) {
                    if (same.contains(m)) {
                        vsList.add(m);
                    }
                }
                for (String m : ge.getValue().getOrDefault(daemonId, new AgreedItem.GroupState.Entry(group, myView,
                        List.of())).members()) {
                    vs.put(m, vsList);
                }
            }
            views.add(new View(group, members, vs, allVsSets(members, ge.getValue())));
        }
        lineage = mix(configurationId, id.sequence());
        reports.clear();
        completeReports = 0;
        return new Result(views);
    }

    /** Members of daemons that report the same previous view and the same lineage came through together. */
    private List<List<String>> allVsSets(List<String> members, Map<Integer, AgreedItem.GroupState.Entry> entries) {
        Map<String, Integer> setOf = new HashMap<>();
        Map<List<Object>, Integer> keys = new HashMap<>();
        for (Map.Entry<Integer, AgreedItem.GroupState.Entry> de : entries.entrySet()) {
            List<Object> key = List.of(de.getValue().viewId(), reported(de.getKey()).lineage);
            Integer set = keys.computeIfAbsent(key, k -> keys.size());
            for (String m : de.getValue().members()) {
                setOf.putIfAbsent(m, set);
            }
        }
        LinkedHashMap<Integer, List<String>> sets = new LinkedHashMap<>();
        for (String m : members) {
            sets.computeIfAbsent(setOf.get(m), k -> new ArrayList<>()).add(m);
        }
        return List.copyOf(sets.values());
    }

    /** The report of {@code daemon}, which a completed exchange holds for each of its daemons. */
    private Report reported(int daemon) {
        Report s = reports.get(daemon);
        if (s == null || !s.complete) {
            throw new IllegalStateException("exchange completed without the state of daemon " + daemon);
        }
        return s;
    }

    private static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
