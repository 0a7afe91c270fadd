package io.consort.core;

/**
 * A snapshot of an engine's figures, for metrics and diagnostics.
 *
 * <pre>{@code
 * EngineStats s = engine.stats();
 * metrics.gauge("consort.sessions", s.sessions());
 * }</pre>
 *
 * @param sessions           connected sessions
 * @param groups             groups with members
 * @param bufferedBytes      bytes buffered for all sessions together
 * @param ringHeldMessages   messages the ring holds (ordered, waiting, or kept for retransmission)
 * @param droppedDatagrams   datagrams dropped as malformed
 * @param configurationId    the current configuration's id (0 before the first)
 */
public record EngineStats(int sessions, int groups, long bufferedBytes, int ringHeldMessages, long droppedDatagrams,
        long configurationId) {
}
