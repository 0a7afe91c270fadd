package io.consort.reactive;

import io.consort.core.ViewCause;
import io.consort.core.ViewId;
import java.util.List;

/**
 * A new view of a group: its members, in the same order at every member, and why it changed.
 *
 * <pre>{@code
 * session.views("chat")
 *        .subscribe(v -> System.out.println(v.cause() + " " + v.changed() + " -> " + v.members()));
 * }</pre>
 *
 * @param group     the group
 * @param id        the view's id, unique within the group
 * @param cause     JOIN, LEAVE, DISCONNECT or NETWORK
 * @param members   the members' private names
 * @param changed   whose join, leave or disconnect caused the view
 * @param vsSet     for NETWORK views, the members that came from this member's previous view with it
 * @param selfLeave whether this is the receiver's own leave: its last event of the group
 */
public record GroupView(String group, ViewId id, ViewCause cause, List<String> members, List<String> changed,
        List<String> vsSet, boolean selfLeave) implements GroupEvent {
    public GroupView {
        members = List.copyOf(members);
        changed = List.copyOf(changed);
        vsSet = List.copyOf(vsSet);
    }
}
