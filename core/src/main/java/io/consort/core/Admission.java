package io.consort.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The checks a request passes before the engine takes it in: a new session's name and the
 * daemon's room for it, a multicast's destinations, size and type. A refused request costs only
 * its own session (or only itself), never anyone else's data.
 */
final class Admission {
    private Admission() {
    }

    /** Why session {@code sessionId}, asking to be {@code user}, is refused, as its close; null to accept it. */
    static Output.@Nullable CloseSession refusal(long sessionId, String user, EngineConfig config, SessionRegistry sessions,
            boolean shuttingDown) {
        if (shuttingDown) {
            // Its joins would be ordered after the daemon announced its leave, and be lost.
            return new Output.CloseSession(sessionId, ErrorCode.DAEMON_SHUTDOWN,
                    "daemon " + config.daemonName() + " is shutting down");
        }
        try {
            Names.checkUser(user, config.maxPrivateNameBytes());
        } catch (ConsortException e) {
            return new Output.CloseSession(sessionId, e.code(), e.getMessage());
        }
        String name = Names.privateName(user, config.daemonName());
        if (sessions.hasName(name)) {
            return new Output.CloseSession(sessionId, ErrorCode.DUPLICATE_PRIVATE_NAME,
                    "private name " + name + " is in use by another session");
        }
        if (sessions.size() >= config.maxSessions()) {
            return new Output.CloseSession(sessionId, ErrorCode.TOO_MANY_SESSIONS,
                    "daemon " + config.daemonName() + " serves its maximum of " + config.maxSessions() + " sessions");
        }
        return null;
    }

    /** The multicast's destinations without repeats, in the sender's order; throws for a multicast the daemon refuses. */
    static List<String> checkMulticast(EngineConfig config, List<String> destinations, int type, byte[] payload) {
        if (destinations.isEmpty() || destinations.size() > config.maxGroupsPerMessage()) {
            throw new ConsortException(ErrorCode.TOO_MANY_GROUPS, "a message names 1 to "
                    + config.maxGroupsPerMessage() + " groups, this one " + destinations.size());
        }
        if (payload.length > config.maxMessageBytes()) {
            throw new ConsortException(ErrorCode.MESSAGE_TOO_LARGE, "message of " + payload.length
                    + " bytes is over the maximum of " + config.maxMessageBytes());
        }
        if (type < 0 || type > 0xFFFF) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, "message type " + type + " is not 16-bit");
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String g : destinations) {
            Names.checkDestination(g, config.maxGroupNameBytes());
            unique.add(g);
        }
        return new ArrayList<>(unique);
    }
}
