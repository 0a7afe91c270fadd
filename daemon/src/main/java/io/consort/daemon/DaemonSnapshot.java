package io.consort.daemon;

import io.consort.core.EngineCounters;
import io.consort.core.ServiceLevel;
import io.consort.core.SessionFigures;
import java.util.List;
import java.util.Map;

/**
 * A daemon as its engine saw it at one moment: the ring, the groups, the sessions and every counter.
 * Immutable; taken on the engine's thread by {@link DaemonMonitor} (every second, or on request), so
 * that metrics, the monitor's commands and the live view read it from their own threads without
 * touching the engine.
 *
 * <pre>{@code
 * DaemonSnapshot s = daemon.monitor().snapshot();
 * System.out.println(s.daemonName() + " in configuration " + s.configurationId() + ": " + s.memberNames());
 * }</pre>
 *
 * @param daemonName      this daemon's name
 * @param daemonId        its id in the daemon network (0 alone)
 * @param clustered       whether it runs the Totem ring with other daemons
 * @param takenAtMillis   when the snapshot was taken (wall clock)
 * @param uptimeMillis    how long the daemon has run
 * @param regular         whether it is in a regular configuration with settled group views (what /ready says)
 * @param configurationId the regular configuration's id (0 before the first)
 * @param members         the daemons of the configuration, in ring order: the token's path
 * @param daemonNames     daemon names by id, as far as this daemon's configuration lists them
 * @param sessions        the connected sessions
 * @param groups          the groups with members
 * @param counters        the engine's counters
 * @param delivered       messages delivered to this daemon's sessions, by service level
 * @param deliveredBytes  their payload bytes
 * @param sessionsClosed  sessions the daemon closed, by reason
 * @param dropped         datagrams dropped, by reason (engine and transport together)
 * @param ringHeldMessages messages the ring holds
 * @param queuedInputs    inputs waiting for the engine
 * @param sessionBufferBytesMax the per-session buffer bound (limits.sessionBufferBytesMax)
 */
public record DaemonSnapshot(String daemonName, int daemonId, boolean clustered, long takenAtMillis, long uptimeMillis,
        boolean regular, long configurationId, List<Integer> members, Map<Integer, String> daemonNames,
        List<SessionFigures> sessions, List<GroupFigures> groups, EngineCounters counters,
        Map<ServiceLevel, Long> delivered, Map<ServiceLevel, Long> deliveredBytes, Map<String, Long> sessionsClosed,
        Map<String, Long> dropped, int ringHeldMessages, int queuedInputs, long sessionBufferBytesMax) {
    public DaemonSnapshot {
        members = List.copyOf(members);
        daemonNames = Map.copyOf(daemonNames);
        sessions = List.copyOf(sessions);
        groups = List.copyOf(groups);
        delivered = Map.copyOf(delivered);
        deliveredBytes = Map.copyOf(deliveredBytes);
        sessionsClosed = Map.copyOf(sessionsClosed);
        dropped = Map.copyOf(dropped);
    }

    /** One group: its name, its view id and its members in view order. */
    public record GroupFigures(String name, String viewId, List<String> members) {
        public GroupFigures {
            members = List.copyOf(members);
        }
    }

    /** The configuration's daemons as {@code name(id)}, in ring order. */
    public List<String> memberNames() {
        return members.stream().map(this::describe).toList();
    }

    /** A daemon as {@code name(id)}, or its id alone if its name is not known here. */
    public String describe(int id) {
        String n = daemonNames.get(id);
        return n == null ? Integer.toString(id) : n + "(" + id + ")";
    }

    /** The group named {@code name}, or null. */
    public @org.jspecify.annotations.Nullable GroupFigures group(String name) {
        for (GroupFigures g : groups) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        return null;
    }
}
