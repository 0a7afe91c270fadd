package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
/** The deadlines of a running token: its loss, and the retransmission of the last one sent. */
final class TokenTimers {
    long tokenLossAt;
    long retransmitAt = Long.MAX_VALUE;

    TokenTimers(long tokenLossAt) {
        this.tokenLossAt = tokenLossAt;
    }

    /** A token arrived at {@code now}. */
    void tokenArrived(long now, TotemTimeouts t) {
        tokenLossAt = now + t.tokenLossTimeoutNanos();
        retransmitAt = Long.MAX_VALUE;
    }

    /** A token was sent at {@code now}. */
    void tokenSent(long now, TotemTimeouts t) {
        retransmitAt = now + t.tokenRetransmitNanos();
    }

    long next() {
        return Math.min(tokenLossAt, retransmitAt);
    }

    void grace(long now, TotemTimeouts t) {
        tokenLossAt = Math.max(tokenLossAt, now + t.tokenLossTimeoutNanos());
    }
}
