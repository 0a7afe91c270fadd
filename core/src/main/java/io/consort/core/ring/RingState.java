package io.consort.core.ring;

import io.consort.core.wire.TokenPacket;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One ring this daemon takes part in: its members, its messages and its token bookkeeping. The
 * membership algorithm keeps two: the last installed regular ring, and, while recovering, the new
 * ring whose token runs.
 *
 * <pre>{@code
 * RingState r = new RingState(ringId, List.of(0, 1, 2), 1, initialSeq);
 * r.successor();                 // 2: where this daemon sends the token
 * r.deliverInOrder(deliveries);  // what is in order and, for SAFE, held by all
 * }</pre>
 */
public final class RingState {
    public final long id;
    public final List<Integer> members;
    public final int myIndex;
    public final MessageStore store;
    /** The stamp of the last token accepted: an older or repeated token is a duplicate. */
    public long lastStamp = -1;
    /** The highest seq this daemon knows every member holds. */
    public long knownSafe;
    /** The highest seq delivered to the engine. */
    public long delivered;
    /** Messages sent or retransmitted on this daemon's last visit (flow control). */
    public int sentLastVisit;
    /** This daemon's own backlog on its last visit (flow control). */
    public int backlogLastVisit;
    /** The token's seq when it last reached this daemon: what is above may still be in flight. */
    public long seqLastVisit;
    /** The wire version every packet of this ring is encoded at (the commit token's). */
    public int wireVersion = io.consort.core.wire.Header.VERSION;
    /** The token this daemon sent last, for retransmission until the next one arrives. */
    public @Nullable TokenPacket lastToken;

    /** Ring {@code id} of {@code members} (ring order) as daemon {@code me} sees it; its first message is {@code initialSeq + 1}. */
    public RingState(long id, List<Integer> members, int me, long initialSeq) {
        this.id = id;
        this.members = List.copyOf(members);
        this.myIndex = members.indexOf(me);
        this.store = new MessageStore(id, initialSeq);
        this.knownSafe = initialSeq;
        this.delivered = initialSeq;
        this.seqLastVisit = initialSeq;
    }

    /** The member this daemon passes the token to. */
    public int successor() {
        return members.get((myIndex + 1) % members.size());
    }

    /** The member this daemon gets the token from. */
    public int predecessor() {
        return members.get((myIndex + members.size() - 1) % members.size());
    }

    /** Delivers every stored message after {@link #delivered} up to the first hole, a SAFE one only once held by all. */
    public void deliverInOrder(Deliveries out) {
        while (true) {
            long n = delivered + 1;
            MessageStore.Stored st = store.get(n);
            if (st == null || (st.packet().safe() && Seq.lt(knownSafe, n))) {
                return;
            }
            delivered = n;
            out.stored(id, n, st);
        }
    }

    /** Whether daemon {@code me} sent a message of this ring above {@code seq} (all above the safe point are still stored). */
    public boolean ownMessageAbove(int me, long seq) {
        long high = store.highSeq();
        for (long s = seq + 1; Seq.le(s, high); s++) {
            MessageStore.Stored st = store.get(s);
            if (st != null && st.packet().sender() == me) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks what must hold after every input: delivered ≤ aru ≤ highest seq, what all hold ≤ what
     * this daemon holds, a valid id, this daemon a member. Throws {@link IllegalStateException},
     * which stops the daemon: going on with a broken ring would hand clients a wrong order.
     */
    public void checkInvariants() {
        long aru = store.aru();
        if (!RingId.valid(id) || myIndex < 0 || members.isEmpty()
                || Seq.lt(aru, delivered) || Seq.lt(store.highSeq(), aru) || Seq.lt(aru, knownSafe)
                || Seq.lt(aru, store.discardedUpTo())) {
            throw new IllegalStateException("ring invariant broken: " + this);
        }
    }

    @Override
    public String toString() {
        return "ring " + id + " " + members + " stamp " + lastStamp + " aru " + store.aru() + " high "
                + store.highSeq() + " delivered " + delivered;
    }
}
