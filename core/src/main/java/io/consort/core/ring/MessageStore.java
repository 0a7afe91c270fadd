package io.consort.core.ring;

import io.consort.core.wire.MessagePacket;
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
    /**
     * Held messages by {@code seq & (slots.length - 1)}: every held seq lies in
     * {@code (discardedUpTo, discardedUpTo + slots.length]}, so a slot holds one seq at a time. The
     * flow-control window bounds that span; the array doubles if a ring ever exceeds it.
     */
    private Stored[] slots = new Stored[256];
    private int size;
    /** Messages too far ahead for {@link #MAX_SLOTS} (never in a well-behaved ring): kept, just slower. */
    private final java.util.HashMap<Long, Stored> far = new java.util.HashMap<>();
    private static final int MAX_SLOTS = 1 << 16;
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
        if (Seq.le(seq, discardedUpTo) || get(seq) != null) {
            return false;
        }
        while (seq - discardedUpTo > slots.length && slots.length < MAX_SLOTS) {
            grow();
        }
        if (seq - discardedUpTo > slots.length) {
            far.put(seq, s);
        } else {
            slots[(int) seq & (slots.length - 1)] = s;
        }
        size++;
        highSeq = Seq.max(highSeq, seq);
        while (get(aru + 1) != null) {
            aru++;
        }
        return true;
    }

    private void grow() {
        Stored[] bigger = new Stored[slots.length * 2];
        for (Stored s : slots) {
            if (s != null) {
                bigger[(int) s.packet().seq() & (bigger.length - 1)] = s;
            }
        }
        slots = bigger;
        if (!far.isEmpty()) {
            far.values().removeIf(s -> {
                long q = s.packet().seq();
                if (q - discardedUpTo <= bigger.length) {
                    bigger[(int) q & (bigger.length - 1)] = s;
                    return true;
                }
                return false;
            });
        }
    }

    /** The message with this sequence number, or null if not held. */
    public @Nullable Stored get(long seq) {
        if (Seq.le(seq, discardedUpTo)) {
            return null;
        }
        if (seq - discardedUpTo > slots.length) {
            return far.isEmpty() ? null : far.get(seq);
        }
        Stored s = slots[(int) seq & (slots.length - 1)];
        return s != null && s.packet().seq() == seq ? s : null;
    }

    public boolean has(long seq) {
        return Seq.le(seq, discardedUpTo) || get(seq) != null;
    }

    /** Drops the messages up to {@code seq}, which must all be delivered already. */
    public void discardUpTo(long seq) {
        long to = Seq.min(seq, aru);
        while (Seq.lt(discardedUpTo, to)) {
            discardedUpTo++;
            int i = (int) discardedUpTo & (slots.length - 1);
            Stored s = slots[i];
            if (s != null && s.packet().seq() == discardedUpTo) {
                slots[i] = null;
                size--;
            }
            if (!far.isEmpty()) {
                // The window moved: bring what now fits into the slots.
                long next = discardedUpTo + slots.length;
                Stored f = far.remove(next);
                if (f != null) {
                    slots[(int) next & (slots.length - 1)] = f;
                }
            }
        }
    }

    /** How many messages are held. */
    public int size() {
        return size;
    }
}
