package io.consort.core.ring;

/**
 * Totem's flow control: how many new messages a token holder may multicast on one visit. A
 * personal window per visit, a global window per rotation shared with what the others sent on the
 * last one, and never more outstanding (sent, not yet held by all) than twice the global window.
 * With the accelerated ring, the last few messages of a visit go out after the token.
 *
 * <pre>{@code
 * FlowControl fc = new FlowControl(256, 64, 8);
 * long n = fc.allowed(token, sentLastVisit, retransmitted);
 * }</pre>
 *
 * @param globalWindow   messages per token rotation, over all members
 * @param personalWindow messages per visit
 * @param accelerated    messages of a visit sent after the token
 */
public record FlowControl(int globalWindow, int personalWindow, int accelerated) {
    public FlowControl {
        if (globalWindow < 1 || personalWindow < 1 || accelerated < 0) {
            throw new IllegalArgumentException("windows " + globalWindow + "/" + personalWindow + "/" + accelerated);
        }
    }

    /** What the other members sent on the last rotation, from the token's count and this daemon's own last visit. */
    public static int othersLastRotation(int tokenFcc, int sentLastVisit) {
        return Math.max(0, tokenFcc - sentLastVisit);
    }

    /** How many new messages this visit may send, after {@code retransmitted} retransmissions. */
    public long allowed(long tokenSeq, long tokenAru, int othersLastRotation, int retransmitted) {
        long outstanding = tokenSeq - tokenAru;
        long allowed = Math.min(personalWindow, globalWindow - othersLastRotation - retransmitted);
        return Math.min(allowed, 2L * globalWindow - outstanding);
    }

    /** How many of a visit's {@code sent} messages go out after the token. */
    public int afterToken(int sent) {
        return Math.min(accelerated, sent);
    }
}
