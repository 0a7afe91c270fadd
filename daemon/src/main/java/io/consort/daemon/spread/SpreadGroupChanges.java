package io.consort.daemon.spread;

import io.consort.core.TransitionalEvent;
import io.consort.core.ViewEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which of a session's groups a configuration change changes, as a Spread daemon decides it
 * (groups.c: {@code G_handle_trans_memb}, {@code G_handle_join} in GTRANS, {@code G_mess_to_groups},
 * {@code G_compute_and_notify}): a group is changed when a daemon holding members of it is
 * leaving, when a member of a leaving daemon joins or leaves it during the change, or when
 * members that did not come through together meet in the new configuration (a merge). Only a
 * changed group's members get the transitional membership (only for a daemon leaving) and the
 * NETWORK one; an unchanged group's members get neither, and a join or leave during the change is
 * the lightweight membership Spread sends then.
 *
 * <p>Every input is the same at every member of the group's view: its members, the daemons of
 * the transitional configuration (every daemon that goes through the change together has the same
 * one, and a group whose daemons did not all go through together is changed for all of them), and
 * the NETWORK view's vs-sets. So every member decides alike. One per Spread session, on the
 * engine thread.
 *
 * <pre>{@code
 * SpreadGroupChanges changes = new SpreadGroupChanges();
 * changes.viewSeen(view);                                   // every view the session gets
 * boolean send = changes.transitional(signal, Set.of("d1", "d2"));
 * }</pre>
 */
final class SpreadGroupChanges {
    private final Map<String, Group> groups = new HashMap<>();

    private static final class Group {
        List<String> members = List.of();
        boolean inChange;
        boolean changed;
    }

    /** A regular view outside a configuration change, or the session's own leave. */
    void viewSeen(ViewEvent v) {
        if (v.selfLeave()) {
            groups.remove(v.group());
            return;
        }
        groups.computeIfAbsent(v.group(), g -> new Group()).members = v.members();
    }

    /**
     * The configuration changes for {@code t}'s group; {@code staying} the daemons (by name) that go
     * through it together with this one, null if not known. Whether Spread would send the
     * transitional membership: a daemon of the group is leaving.
     */
    boolean transitional(TransitionalEvent t, @Nullable Set<String> staying) {
        Group g = groups.computeIfAbsent(t.group(), k -> new Group());
        if (g.inChange) {
            return g.changed; // the joiner's signal, after its view (which decided)
        }
        g.inChange = true;
        g.changed = !allStay(g.members, staying);
        return g.changed;
    }

    /**
     * A join, leave or disconnect delivered during the change: whether Spread sends it as a
     * NETWORK membership and a transitional one (the group is changed), not as the lightweight one.
     */
    boolean duringChange(ViewEvent v, @Nullable Set<String> staying) {
        Group g = groups.computeIfAbsent(v.group(), k -> new Group());
        if (!g.inChange) {
            g.inChange = true; // the joiner's own first view of the group
            g.changed = false;
        }
        if (!g.changed) {
            g.changed = !allStay(v.members(), staying) || !allStay(v.changed(), staying);
        }
        g.members = v.members();
        return g.changed;
    }

    /**
     * The NETWORK view of the new configuration: whether Spread sends it. Not for a group the
     * change did not change: its members are the same and they all came through together.
     */
    boolean network(ViewEvent v) {
        Group g = groups.get(v.group());
        boolean unchanged = g != null && g.inChange && !g.changed && v.vsSets().size() <= 1
                && new HashSet<>(g.members).equals(new HashSet<>(v.members()));
        if (g == null) {
            g = new Group();
            groups.put(v.group(), g);
        }
        g.inChange = false;
        g.changed = false;
        g.members = v.members();
        return !unchanged;
    }

    private static boolean allStay(List<String> members, @Nullable Set<String> staying) {
        if (staying == null) {
            return false;
        }
        for (String m : members) {
            if (!staying.contains(SpreadMemberOrder.daemonOf(m))) {
                return false;
            }
        }
        return true;
    }
}
