package io.consort.core.groups;

import io.consort.core.ViewId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The replicated table of groups and their members. Every daemon applies the same changes in
 * the agreed order, so every daemon holds the same table; member order is join order.
 */
public final class GroupTable {
    /** One group: its members in join order and its current view id. */
    public static final class Group {
        private final String name;
        private final LinkedHashSet<String> members = new LinkedHashSet<>();
        private ViewId viewId;
        private int index = 1;

        Group(String name, ViewId viewId) {
            this.name = name;
            this.viewId = viewId;
        }

        public String name() {
            return name;
        }

        public ViewId viewId() {
            return viewId;
        }

        /**
         * The group's change count in its configuration, as Spread numbers a group id's index: 1
         * for its first view there (its creation, or the view a configuration change installs, or
         * the transitional step), one more for each join, leave or disconnect since. The same at
         * every daemon.
         */
        public int index() {
            return index;
        }

        /**
         * The group moves to view {@code id}: a change of its own, unless the view is the one it is
         * in. A change in another configuration than the group's view (the old ring's remainder,
         * delivered in the transitional configuration) is that configuration's second view of the
         * group, as Spread counts it: 1 is the transitional step itself.
         */
        private void moveTo(ViewId id) {
            if (id.equals(viewId)) {
                return;
            }
            index = id.configurationId() == viewId.configurationId() ? index + 1 : 2;
            viewId = id;
        }

        /** The members in view order: a copy, to keep in an event. */
        public List<String> members() {
            return List.copyOf(members);
        }

        /**
         * The members in view order, read-only and without a copy: for delivering a message, where a
         * copy per message would be pure waste. Valid until the group next changes.
         */
        public java.util.Collection<String> memberView() {
            return java.util.Collections.unmodifiableSet(members);
        }

        public boolean contains(String member) {
            return members.contains(member);
        }

        public int size() {
            return members.size();
        }
    }

    private final Map<String, Group> groups = new HashMap<>();
    private final Map<String, Set<String>> groupsOfMember = new HashMap<>();

    /** The group, or null if it has no members. */
    public @Nullable Group group(String name) {
        return groups.get(name);
    }

    /** The groups {@code member} is in; empty if none. */
    public Set<String> groupsOf(String member) {
        Set<String> s = groupsOfMember.get(member);
        return s == null ? Set.of() : Collections.unmodifiableSet(s);
    }

    /** How many groups have members. */
    public int size() {
        return groups.size();
    }

    /** Adds {@code member} to {@code group} in view {@code id}; returns the group, or null if it was already a member. */
    public @Nullable Group join(String group, String member, ViewId id) {
        Group g = groups.computeIfAbsent(group, n -> new Group(n, id));
        if (!g.members.add(member)) {
            return null;
        }
        g.moveTo(id);
        groupsOfMember.computeIfAbsent(member, m -> new LinkedHashSet<>()).add(group);
        return g;
    }

    /**
     * Removes {@code member} from {@code group} in view {@code id}; returns the group (possibly now
     * empty and dropped from the table), or null if it was not a member.
     */
    public @Nullable Group leave(String group, String member, ViewId id) {
        Group g = groups.get(group);
        if (g == null || !g.members.remove(member)) {
            return null;
        }
        g.moveTo(id);
        if (g.members.isEmpty()) {
            groups.remove(group);
        }
        Set<String> of = groupsOfMember.get(member);
        if (of != null) {
            of.remove(group);
            if (of.isEmpty()) {
                groupsOfMember.remove(member);
            }
        }
        return g;
    }

    /** The groups of {@code member}, in the order it joined them; a copy, safe to iterate while leaving. */
    public List<String> groupsOfInJoinOrder(String member) {
        Set<String> s = groupsOfMember.get(member);
        return s == null ? List.of() : new ArrayList<>(s);
    }

    /** The names of the groups with members, sorted: a deterministic order for every daemon. */
    public List<String> names() {
        List<String> n = new ArrayList<>(groups.keySet());
        Collections.sort(n);
        return n;
    }

    /** Forgets every group: the table is about to be rebuilt from a group state exchange. */
    public void clear() {
        groups.clear();
        groupsOfMember.clear();
    }
}
