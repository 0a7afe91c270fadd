package io.consort.core.groups;

import io.consort.core.ViewId;
import io.consort.core.ring.AgreedItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    private final int daemonId;
    private final String localSuffix;
    private long lineage;
    private long configurationId;
    private List<Integer> daemons = List.of();
    private final Map<Integer, AgreedItem.GroupState> states = new HashMap<>();

    /** The exchange of daemon {@code daemonId} named {@code daemonName}. */
    public GroupExchange(int daemonId, String daemonName, long seed) {
        this.daemonId = daemonId;
        this.localSuffix = "#" + daemonName;
        this.lineage = mix(-1L - daemonId, seed);
    }

    /** The daemon went through the change from {@code oldConfigurationId} to {@code newConfigurationId}. */
    public void transition(long oldConfigurationId, long newConfigurationId) {
        lineage = mix(mix(lineage, oldConfigurationId), newConfigurationId);
        // An exchange of the configuration that just ended can no longer complete: reports of it
        // still arriving in its remainder are ignored, here as at every daemon of the change.
        configurationId = 0;
        states.clear();
    }

    /** A new regular configuration of {@code daemons}: this daemon's report for it. */
    public AgreedItem.GroupState begin(long configurationId, List<Integer> daemons, GroupTable table) {
        this.configurationId = configurationId;
        this.daemons = List.copyOf(daemons);
        states.clear();
        List<AgreedItem.GroupState.Entry> entries = new ArrayList<>();
        for (String name : table.names()) {
            GroupTable.Group g = table.group(name);
            if (g == null) {
                continue;
            }
            List<String> local = new ArrayList<>();
            for (String m : g.members()) {
                if (m.endsWith(localSuffix)) {
                    local.add(m);
                }
            }
            if (!local.isEmpty()) {
                entries.add(new AgreedItem.GroupState.Entry(name, g.viewId(), local));
            }
        }
        return new AgreedItem.GroupState(daemonId, configurationId, lineage, entries);
    }

    /** Takes in a delivered report; returns true when every daemon's report of the current exchange is in. */
    public boolean offer(AgreedItem.GroupState state) {
        if (state.configurationId() != configurationId || !daemons.contains(state.daemonId())) {
            return false;
        }
        states.put(state.daemonId(), state);
        return states.keySet().containsAll(daemons) && states.containsKey(daemonId);
    }

    /** Rebuilds {@code table} from the reports, every group in view {@code id}; returns the views to deliver. */
    public Result complete(GroupTable table, ViewId id) {
        AgreedItem.GroupState mine = states.get(daemonId);
        if (mine == null) {
            throw new IllegalStateException("exchange completed without this daemon's own state");
        }
        Map<String, ViewId> myViews = new HashMap<>();
        for (AgreedItem.GroupState.Entry e : mine.groups()) {
            myViews.put(e.group(), e.viewId());
        }
        // group -> daemon -> that daemon's entry
        TreeMap<String, LinkedHashMap<Integer, AgreedItem.GroupState.Entry>> byGroup = new TreeMap<>();
        for (int d : daemons) {
            for (AgreedItem.GroupState.Entry e : reported(d).groups()) {
                byGroup.computeIfAbsent(e.group(), g -> new LinkedHashMap<>()).put(d, e);
            }
        }
        table.clear();
        List<View> views = new ArrayList<>(byGroup.size());
        for (Map.Entry<String, LinkedHashMap<Integer, AgreedItem.GroupState.Entry>> ge : byGroup.entrySet()) {
            String group = ge.getKey();
            List<String> members = new ArrayList<>();
            for (AgreedItem.GroupState.Entry e : ge.getValue().values()) {
                for (String m : e.members()) {
                    if (!members.contains(m)) {
                        members.add(m);
                        table.join(group, m, id);
                    }
                }
            }
            // Every daemon computes the vs-set of its own members only: those of daemons that
            // report the same previous view and the same lineage as this one.
            Map<String, List<String>> vs = new HashMap<>();
            ViewId myView = myViews.get(group);
            if (myView != null) {
                Set<String> same = new java.util.HashSet<>();
                for (Map.Entry<Integer, AgreedItem.GroupState.Entry> de : ge.getValue().entrySet()) {
                    if (de.getValue().viewId().equals(myView) && reported(de.getKey()).lineage() == mine.lineage()) {
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
        states.clear();
        return new Result(views);
    }

    /** Members of daemons that report the same previous view and the same lineage came through together. */
    private List<List<String>> allVsSets(List<String> members, Map<Integer, AgreedItem.GroupState.Entry> entries) {
        Map<String, Integer> setOf = new HashMap<>();
        Map<List<Object>, Integer> keys = new HashMap<>();
        for (Map.Entry<Integer, AgreedItem.GroupState.Entry> de : entries.entrySet()) {
            List<Object> key = List.of(de.getValue().viewId(), reported(de.getKey()).lineage());
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
    private AgreedItem.GroupState reported(int daemon) {
        AgreedItem.GroupState s = states.get(daemon);
        if (s == null) {
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
