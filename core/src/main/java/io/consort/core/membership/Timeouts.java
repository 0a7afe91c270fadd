package io.consort.core.membership;

import io.consort.core.EngineConfig;

/**
 * The membership algorithm's timeouts, in nanoseconds (docs/RING.md explains each).
 *
 * <pre>{@code
 * Timeouts t = Timeouts.of(EngineConfig.defaults());
 * }</pre>
 *
 * @param tokenLoss       no token for this long: the ring is gone, gather
 * @param tokenRetransmit the token (or commit token) is sent again after this long without an answer
 * @param joinInterval    joins are repeated this often while gathering
 * @param consensus       a gather member that sent no join for this long is counted failed
 * @param mergeDetect     beacon interval (merge detection)
 * @param tokenHold       an idle representative holds the token this long
 */
public record Timeouts(long tokenLoss, long tokenRetransmit, long joinInterval, long consensus, long mergeDetect,
        long tokenHold) {
    public Timeouts {
        if (tokenLoss <= 0 || tokenRetransmit <= 0 || joinInterval <= 0 || consensus <= 0 || mergeDetect <= 0
                || tokenHold < 0) {
            throw new IllegalArgumentException("timeouts must be positive: " + tokenLoss + "/" + tokenRetransmit
                    + "/" + joinInterval + "/" + consensus + "/" + mergeDetect + "/" + tokenHold);
        }
    }

    /** The timeouts of {@code config}. */
    public static Timeouts of(EngineConfig config) {
        return new Timeouts(config.tokenLossTimeoutNanos(), config.tokenRetransmitNanos(), config.joinIntervalNanos(),
                config.consensusTimeoutNanos(), config.mergeDetectNanos(), config.tokenHoldNanos());
    }
}
