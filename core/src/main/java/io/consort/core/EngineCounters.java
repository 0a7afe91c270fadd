package io.consort.core;

import java.util.Map;

/**
 * An immutable copy of an engine's counters, taken on the engine's thread with {@link Engine#counters()}
 * and safe to read from any other (a metrics registry, a monitor). Totals only ever grow within one
 * engine; {@link #backlog()} is the level now.
 *
 * <pre>{@code
 * EngineCounters c = engine.counters();
 * double meanRotationMs = c.tokenRotationNanos() / 1e6 / Math.max(1, c.tokenRotations());
 * }</pre>
 *
 * @param configurations        regular configurations installed
 * @param gathers               gathers started, by cause
 * @param lastGatherCause       why the latest gather started
 * @param tokenRotations        intervals measured between fresh tokens at this daemon
 * @param tokenRotationNanos    their sum
 * @param tokenHolds            times this daemon held the token (idle ring, paced rotation)
 * @param tokenHoldNanos        their total length
 * @param retransmitRequests    sequence numbers this daemon asked to be re-sent
 * @param retransmittedMessages messages this daemon re-sent for others
 * @param backlog               the ring's flow-control backlog, as the last token passed on carried it
 * @param undecodableDatagrams  datagrams dropped because they did not decode
 * @param malformedDatagrams    datagrams dropped because a well-framed packet's body was malformed
 * @param messagesIn            multicasts accepted from this daemon's sessions, by service level
 * @param bytesIn               their payload bytes, by service level
 */
public record EngineCounters(long configurations, Map<GatherCause, Long> gathers, GatherCause lastGatherCause,
        long tokenRotations, long tokenRotationNanos, long tokenHolds, long tokenHoldNanos, long retransmitRequests,
        long retransmittedMessages, int backlog, long undecodableDatagrams, long malformedDatagrams,
        Map<ServiceLevel, Long> messagesIn, Map<ServiceLevel, Long> bytesIn) {
    public EngineCounters {
        gathers = Map.copyOf(gathers);
        messagesIn = Map.copyOf(messagesIn);
        bytesIn = Map.copyOf(bytesIn);
    }

    /** Gathers started for any cause. */
    public long gathersTotal() {
        return gathers.values().stream().mapToLong(Long::longValue).sum();
    }
}
