package io.consort.core.ring;

/**
 * A ring's id: the ring sequence number its representative chose, shifted left, with the
 * representative's daemon id in the low bits. Ring seqs only grow (a restarted daemon starts above
 * any it used, from its incarnation), so two rings never share an id, and a ring's id orders it
 * among the rings a daemon has seen.
 *
 * <pre>{@code
 * long id = RingId.of(7, 2);          // ring seq 7, formed by daemon 2
 * RingId.seqOf(id) == 7; RingId.representativeOf(id) == 2;
 * }</pre>
 */
public final class RingId {
    /** Bits of the representative's daemon id: daemon ids are at most {@code 2^SHIFT - 1}. */
    public static final int SHIFT = 10;
    private static final long REPRESENTATIVE_MASK = (1L << SHIFT) - 1;

    private RingId() {
    }

    /** The id of the ring with sequence number {@code ringSeq} formed by {@code representative}. */
    public static long of(long ringSeq, int representative) {
        if (representative < 0 || representative > REPRESENTATIVE_MASK) {
            throw new IllegalArgumentException("daemon id " + representative + " outside 0.." + REPRESENTATIVE_MASK);
        }
        return (ringSeq << SHIFT) | representative;
    }

    /** The ring sequence number of ring {@code ringId}. */
    public static long seqOf(long ringId) {
        return ringId >>> SHIFT;
    }

    /** The daemon that formed ring {@code ringId}. */
    public static int representativeOf(long ringId) {
        return (int) (ringId & REPRESENTATIVE_MASK);
    }

    /** Whether {@code ringId} can be the id of a ring (0 stands for "none" and is not). */
    public static boolean valid(long ringId) {
        return ringId > 0;
    }

    /**
     * The id of the transitional configuration from ring {@code oldRingId} to ring {@code newRingId}:
     * a mix of the two with the sign bit set, so it never equals a ring id (those are positive).
     */
    public static long transitionalId(long oldRingId, long newRingId) {
        long z = oldRingId * 0x9E3779B97F4A7C15L + newRingId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) | Long.MIN_VALUE;
    }
}
