package io.consort.core;

/**
 * Why a daemon started gathering a new configuration: counted per cause ({@link EngineCounters#gathers()})
 * and named in the daemon's membership log.
 *
 * <pre>{@code
 * long losses = engine.counters().gathers().get(GatherCause.TOKEN_LOSS);
 * }</pre>
 */
public enum GatherCause {
    /** The daemon started: it gathers with whoever answers. */
    START,
    /** No token (or commit token) came within the token-loss timeout: a member is gone or a link is down. */
    TOKEN_LOSS,
    /** Another daemon's join asked this one to gather with it. */
    JOIN,
    /** Another ring's beacons are heard both ways: the rings merge. */
    MERGE,
    /** A member announced that it leaves (a graceful stop). */
    LEAVE
}
