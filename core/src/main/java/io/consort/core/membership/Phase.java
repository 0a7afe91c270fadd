package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
/**
 * The phase of Totem's membership algorithm a daemon is in. Each phase holds its own state and
 * deadlines; a new phase starts from a fresh object, so nothing of the last one lingers.
 */
sealed interface Phase permits Gathering, Committing, Recovering, Operational {
    /** The earliest of this phase's deadlines; {@code hasWork} is whether the daemon has messages to send. */
    long nextDeadline(long now, boolean hasWork);

    /** This daemon stalled: its failure timeouts restart from {@code now} (StallGuard). */
    void grace(long now, TotemTimeouts t);

    /** Throws {@link IllegalStateException} if this phase's fields contradict each other. */
    void checkInvariants();
}
