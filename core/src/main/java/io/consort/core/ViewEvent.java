package io.consort.core;

import java.util.List;

/**
 * A new view of a group, as one member sees it.
 *
 * @param group     the group
 * @param id        the view's unique id
 * @param cause     why the membership changed
 * @param members   the members, in the same order at every member
 * @param changed   the sessions whose join, leave or disconnect caused this view (empty for NETWORK)
 * @param vsSet     for NETWORK views, the members that came from the receiver's previous view with it;
 *                  otherwise empty
 * @param selfLeave whether this is the receiver's own leave: its last event of the group
 * @param vsSets    every member's vs-set, each once, members in view order, sets in the order of
 *                  their first member in the view: for NETWORK views what came through together;
 *                  otherwise the one set of the changed sessions. The same at every member.
 * @param index     the group's change count in its configuration, as Spread numbers a group id's
 *                  index: 1 for its first view there, one more per join, leave or disconnect since
 *                  (0: not counted). The same at every member.
 */
public record ViewEvent(String group, ViewId id, ViewCause cause, List<String> members, List<String> changed,
        List<String> vsSet, boolean selfLeave, List<List<String>> vsSets, int index) implements Event {
    public ViewEvent {
        members = List.copyOf(members);
        changed = List.copyOf(changed);
        vsSet = List.copyOf(vsSet);
        vsSets = vsSets.stream().map(List::copyOf).toList();
    }

    /** A view whose change is not counted ({@link #index()} 0). */
    public ViewEvent(String group, ViewId id, ViewCause cause, List<String> members, List<String> changed,
            List<String> vsSet, boolean selfLeave, List<List<String>> vsSets) {
        this(group, id, cause, members, changed, vsSet, selfLeave, vsSets, 0);
    }

    /** A view whose vs-sets are what the receiver knows: its own (NETWORK), or the changed sessions. */
    public ViewEvent(String group, ViewId id, ViewCause cause, List<String> members, List<String> changed,
            List<String> vsSet, boolean selfLeave) {
        this(group, id, cause, members, changed, vsSet, selfLeave,
                cause == ViewCause.NETWORK ? (vsSet.isEmpty() ? List.of() : List.of(vsSet))
                        : (changed.isEmpty() ? List.of() : List.of(changed)));
    }

    /** Without the index, which follows from the views before: the simulator's digests print views so. */
    @Override
    public String toString() {
        return "ViewEvent[group=" + group + ", id=" + id + ", cause=" + cause + ", members=" + members + ", changed="
                + changed + ", vsSet=" + vsSet + ", selfLeave=" + selfLeave + ", vsSets=" + vsSets + "]";
    }

    @Override
    public int sizeBytes() {
        return 96 + 40 * (members.size() + changed.size() + vsSet.size()) + (cause == ViewCause.NETWORK
                ? 40 * members.size() : 0);
    }
}
