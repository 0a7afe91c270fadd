package io.consort.core.ring;

import io.consort.core.wire.MessagePacket;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The messages of one ring held by this daemon, by sequence number, with the all-received-up-to
 * ({@link #aru()}) and the highest sequence number seen. Messages are dropped once delivered and
 * known to be held by every member, which bounds the store by the flow-control window.
 */
public final class MessageStore {
    /** A stored message: the packet, its decoded item (null for a recovery carrier) and its bytes for retransmission. */
    public record Stored(MessagePacket packet, @Nullable AgreedItem item, byte[] raw) {
    }

    private final long ringId;
    private final Map<Long, Stored> bySeq = new HashMap<>();
    private long aru;
    private long highSeq;
    private long discardedUpTo;

    /** An empty store of ring {@code ringId} whose first message will be {@code initialSequence + 1}. */
    public MessageStore(long ringId, long initialSequence) {
        this.ringId = ringId;
        this.aru = initialSequence;
        this.highSeq = initialSequence;
        this.discardedUpTo = initialSequence;
    }

    public long ringId() {
        return ringId;
    }

    /** Every message up to and including this one is held (or was delivered and discarded). */
    public long aru() {
        return aru;
    }

    /** The highest sequence number held. */
    public long highSeq() {
        return highSeq;
    }

    /** Every message up to this one was delivered and dropped. */
    public long discardedUpTo() {
        return discardedUpTo;
    }

    /** Adds a message; returns false for one already held or already discarded. */
    public boolean add(Stored s) {
        long seq = s.packet().seq();
        if (Seq.le(seq, discardedUpTo) || bySeq.containsKey(seq)) {
            return false;
        }
        bySeq.put(seq, s);
        highSeq = Seq.max(highSeq, seq);
        while (bySeq.containsKey(aru + 1)) {
            aru++;
        }
        return true;
    }

    /** The message with this sequence number, or null if not held. */
    public @Nullable Stored get(long seq) {
        return bySeq.get(seq);
    }

    public boolean has(long seq) {
        return bySeq.containsKey(seq) || Seq.le(seq, discardedUpTo);
    }

    /** Drops the messages up to {@code seq}, which must all be delivered already. */
    public void discardUpTo(long seq) {
        long to = Seq.min(seq, aru);
        while (Seq.lt(discardedUpTo, to)) {
            discardedUpTo++;
            bySeq.remove(discardedUpTo);
        }
    }

    /** How many messages are held. */
    public int size() {
        return bySeq.size();
    }
}
