package io.consort.core.membership;

/** The deadlines of a running token: its loss, and the retransmission of the last one sent. */
final class TokenTimers {
    long tokenLossAt;
    long retransmitAt = Long.MAX_VALUE;

    TokenTimers(long tokenLossAt) {
        this.tokenLossAt = tokenLossAt;
    }

    /** A token arrived at {@code now}. */
    void tokenArrived(long now, Timeouts t) {
        tokenLossAt = now + t.tokenLoss();
        retransmitAt = Long.MAX_VALUE;
    }

    /** A token was sent at {@code now}. */
    void tokenSent(long now, Timeouts t) {
        retransmitAt = now + t.tokenRetransmit();
    }

    long next() {
        return Math.min(tokenLossAt, retransmitAt);
    }

    void grace(long now, Timeouts t) {
        tokenLossAt = Math.max(tokenLossAt, now + t.tokenLoss());
    }
}
