package io.consort.reactive;

import java.util.List;
import java.util.Objects;

/**
 * Where a session's daemon stands in the ring of daemons, as the daemon last told the session
 * ({@link Session#ring()}). Only a {@link Phase#REGULAR} daemon is in a working configuration: while
 * the ring gathers or recovers, and while a new configuration's group views settle (transitional),
 * messages wait and views are about to change.
 *
 * <pre>{@code
 * session.ring()
 *        .filter(RingState::regular)
 *        .subscribe(r -> log.info("{} in configuration {}: {}", r.daemon(), r.configurationIdHex(), r.members()));
 * }</pre>
 *
 * @param phase           where the daemon's membership protocol stands
 * @param configurationId the configuration's id; while gathering, the last configuration's (0 before the first)
 * @param daemon          the name of the session's daemon
 * @param daemonId        its id in the daemon network (0 for a daemon alone)
 * @param memberIds       the configuration's daemons in ring order (the token's path); empty while gathering
 * @param members         their names in the same order (a daemon whose name its daemon does not know: its id)
 */
public record RingState(Phase phase, long configurationId, String daemon, int daemonId, List<Integer> memberIds,
        List<String> members) {
    /** The daemon's membership phase. */
    public enum Phase {
        /** No configuration: the daemons are gathering, committing or recovering one. */
        GATHERING,
        /** A configuration is installed and its group views are still settling (the transitional configuration). */
        TRANSITIONAL,
        /** A regular configuration with settled group views. */
        REGULAR
    }

    public RingState {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(daemon, "daemon");
        memberIds = List.copyOf(memberIds);
        members = List.copyOf(members);
    }

    /** Whether the daemon is in a regular configuration. */
    public boolean regular() {
        return phase == Phase.REGULAR;
    }

    /** The configuration id in hexadecimal, as the daemon's log and consort-monitor write it. */
    public String configurationIdHex() {
        return Long.toHexString(configurationId);
    }
}
