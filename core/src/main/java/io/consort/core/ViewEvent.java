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
 */
public record ViewEvent(String group, ViewId id, ViewCause cause, List<String> members, List<String> changed,
        List<String> vsSet, boolean selfLeave) implements Event {
    public ViewEvent {
        members = List.copyOf(members);
        changed = List.copyOf(changed);
        vsSet = List.copyOf(vsSet);
    }

    @Override
    public int sizeBytes() {
        return 96 + 40 * (members.size() + changed.size() + vsSet.size());
    }
}
