package io.consort.bench.harness;

/**
 * The benchmark payload: sequence number and send stamp, big-endian, then padding to the size.
 *
 * <pre>
 *  0               8               16            size
 *  +---------------+---------------+-- ... ------+
 *  | sequence (i64)| sentNanos(i64)| padding     |
 *  +---------------+---------------+-- ... ------+
 * </pre>
 *
 * <p>The sequence field carries the sending member's index in its top 16 bits and that sender's
 * own message number below ({@link #tag}); with one sender (index 0) it is just the number.
 *
 * <p>The stamp is {@link System#nanoTime()} of the sending process. On Linux HotSpot reads it from
 * {@code clock_gettime(CLOCK_MONOTONIC)}, one clock for the whole host, so a receiver in another
 * process on the same machine may subtract it from its own {@code nanoTime()}. That holds for
 * processes on one Linux host only, which is how the harness runs them.
 */
public final class Payload {
    /** Bytes taken by the header. */
    public static final int HEADER_BYTES = 16;

    private Payload() {
    }

    private static final int SENDER_SHIFT = 48;

    /** The sequence field of message {@code i} of sender {@code sender}. */
    public static long tag(int sender, long i) {
        return ((long) sender << SENDER_SHIFT) | i;
    }

    /** The sender index of a sequence field. */
    public static int senderOf(long tagged) {
        return (int) (tagged >>> SENDER_SHIFT);
    }

    /** The sender's own message number of a sequence field. */
    public static long numberOf(long tagged) {
        return tagged & ((1L << SENDER_SHIFT) - 1);
    }

    /** A fresh payload of {@code sizeBytes} (at least {@link #HEADER_BYTES}). */
    public static byte[] make(long sequence, long sentNanos, int sizeBytes) {
        byte[] p = new byte[Math.max(HEADER_BYTES, sizeBytes)];
        putLong(p, 0, sequence);
        putLong(p, 8, sentNanos);
        return p;
    }

    public static long sequence(byte[] p, int offset) {
        return getLong(p, offset);
    }

    public static long sentNanos(byte[] p, int offset) {
        return getLong(p, offset + 8);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
