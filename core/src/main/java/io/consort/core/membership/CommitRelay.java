package io.consort.core.membership;

import io.consort.core.EngineConfig.TotemTimeouts;
import io.consort.core.wire.CommitPacket;
import org.jspecify.annotations.Nullable;

/**
 * The commit token as this daemon last passed it on, sent again every retransmit interval until
 * the next step of the protocol shows it arrived (the second rotation, then the new ring's token).
 */
final class CommitRelay {
    private @Nullable CommitPacket last;
    private int lastTo;
    private long retransmitAt = Long.MAX_VALUE;

    /** Records {@code c} as sent to {@code to} at {@code now}. */
    void sent(CommitPacket c, int to, long now, TotemTimeouts t) {
        last = c;
        lastTo = to;
        retransmitAt = now + t.tokenRetransmitNanos();
    }

    /** The commit token to send again at {@code now}, or null; the next retransmission is then scheduled. */
    @Nullable CommitPacket due(long now, TotemTimeouts t) {
        CommitPacket c = last;
        if (c != null && now >= retransmitAt) {
            retransmitAt = now + t.tokenRetransmitNanos();
            return c;
        }
        return null;
    }

    /** Where {@link #due} sends. */
    int to() {
        return lastTo;
    }

    /** The commit token did its job. */
    void stop() {
        last = null;
        retransmitAt = Long.MAX_VALUE;
    }

    long retransmitAt() {
        return retransmitAt;
    }
}
