package io.consort.core;

import org.jspecify.annotations.Nullable;

/**
 * Which events a session's stream receives: those of one group or of all, messages, views or both.
 *
 * @param group    the group, or null for every group the session is in and its private group
 * @param messages whether the stream receives messages
 * @param views    whether the stream receives views and transitional signals
 */
public record StreamFilter(@Nullable String group, boolean messages, boolean views) {
    /** Every message and every view of every group. */
    public static StreamFilter all() {
        return new StreamFilter(null, true, true);
    }

    /** Whether an event of {@code event}'s kind, addressed to {@code groups}, passes this filter. */
    public boolean matches(Event event) {
        if (event instanceof MessageEvent m) {
            return messages && (group == null || m.groups().contains(group));
        }
        if (!views) {
            return false;
        }
        if (event instanceof ViewEvent v) {
            return group == null || group.equals(v.group());
        }
        TransitionalEvent t = (TransitionalEvent) event;
        return group == null || group.equals(t.group());
    }
}
