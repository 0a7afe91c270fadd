package io.consort.core.ring;

import io.consort.core.GatherCause;

/**
 * What a ring has done so far, as plain counters for metrics: configurations, gathers by cause, the
 * token's rotations and holds, retransmissions, the flow-control backlog and dropped datagrams. The
 * ring that owns an instance increments it on its own thread; the engine copies it into an
 * immutable {@link io.consort.core.EngineCounters} for any other thread to read.
 *
 * <pre>{@code
 * RingCounters c = ring.counters();
 * long rotations = c.tokenRotations();
 * }</pre>
 *
 * <p>Why mutable counters rather than events: a metric needs totals, and a counter costs one add on the
 * token's path, which an event per visit would not.
 */
public final class RingCounters {
    private long configurations;
    private final long[] gathers = new long[GatherCause.values().length];
    private GatherCause lastGatherCause = GatherCause.START;
    private long tokenRotations;
    private long tokenRotationNanos;
    private long lastTokenAt;
    private long tokenHolds;
    private long tokenHoldNanos;
    private long holdStartedAt;
    private boolean holding;
    private long retransmitRequests;
    private long retransmittedMessages;
    private int backlog;
    private long undecodableDatagrams;
    private long malformedDatagrams;

    /** A regular configuration was installed. */
    public void configurationInstalled() {
        configurations++;
    }

    /** A gather starts, for {@code cause}; token intervals measured across it would mean nothing. */
    public void gather(GatherCause cause) {
        gathers[cause.ordinal()]++;
        lastGatherCause = cause;
        lastTokenAt = 0;
        holding = false;
    }

    /** A fresh token arrived at this daemon at {@code now}: the interval since the last one is a rotation. */
    public void tokenArrived(long now) {
        if (lastTokenAt != 0) {
            tokenRotations++;
            tokenRotationNanos += Math.max(0, now - lastTokenAt);
        }
        lastTokenAt = now == 0 ? 1 : now;
    }

    /** The daemon holds the token (idle ring or paced rotation) from {@code now}. */
    public void holdStarted(long now) {
        holding = true;
        holdStartedAt = now;
    }

    /** A held token goes on at {@code now}. */
    public void holdEnded(long now) {
        if (holding) {
            holding = false;
            tokenHolds++;
            tokenHoldNanos += Math.max(0, now - holdStartedAt);
        }
    }

    /** One token visit: {@code asked} sequence numbers newly requested, {@code answered} messages re-sent, the ring's backlog. */
    public void visit(int asked, int answered, int backlogNow) {
        retransmitRequests += asked;
        retransmittedMessages += answered;
        backlog = backlogNow;
    }

    /** A datagram that did not decode as a packet. */
    public void undecodable() {
        undecodableDatagrams++;
    }

    /** A well-framed packet whose body was malformed. */
    public void malformed() {
        malformedDatagrams++;
    }

    public long configurations() {
        return configurations;
    }

    /** Gathers started for {@code cause}. */
    public long gathers(GatherCause cause) {
        return gathers[cause.ordinal()];
    }

    /** Why the latest gather started. */
    public GatherCause lastGatherCause() {
        return lastGatherCause;
    }

    public long tokenRotations() {
        return tokenRotations;
    }

    /** The sum of the intervals between fresh tokens at this daemon, within configurations. */
    public long tokenRotationNanos() {
        return tokenRotationNanos;
    }

    public long tokenHolds() {
        return tokenHolds;
    }

    public long tokenHoldNanos() {
        return tokenHoldNanos;
    }

    /** Sequence numbers this daemon asked to be re-sent. */
    public long retransmitRequests() {
        return retransmitRequests;
    }

    /** Messages this daemon re-sent for others' requests. */
    public long retransmittedMessages() {
        return retransmittedMessages;
    }

    /** The ring's flow-control backlog as the last token this daemon passed on carried it (messages waiting at all daemons). */
    public int backlog() {
        return backlog;
    }

    public long undecodableDatagrams() {
        return undecodableDatagrams;
    }

    public long malformedDatagrams() {
        return malformedDatagrams;
    }
}
