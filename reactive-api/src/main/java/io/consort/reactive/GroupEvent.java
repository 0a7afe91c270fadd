package io.consort.reactive;

/**
 * What a session receives from a group, in the group's one order: messages, new views, and the
 * transitional signals that precede network views.
 *
 * <pre>{@code
 * session.events("chat").subscribe(e -> {
 *     if (e instanceof GroupMessage m) System.out.println(m.sender() + ": " + m.text());
 *     else if (e instanceof GroupView v) System.out.println("members now " + v.members());
 * });
 * }</pre>
 */
public sealed interface GroupEvent permits GroupMessage, GroupView, TransitionalSignal {
}
