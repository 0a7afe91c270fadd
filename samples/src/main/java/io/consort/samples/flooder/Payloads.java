package io.consort.samples.flooder;

import java.nio.ByteBuffer;

/**
 * The flooder's payload: the message's sequence number and a {@link System#nanoTime()} stamp,
 * big-endian, then zero padding up to the chosen size. The stamp is only meaningful in the JVM
 * that took it, which is why the flooder's sender and receivers share one process.
 *
 * <pre>
 *  0               8               16            size
 *  +---------------+---------------+-- ... ------+
 *  | sequence (i64)| sentNanos(i64)| zero padding|
 *  +---------------+---------------+-- ... ------+
 * </pre>
 */
public final class Payloads {
    /** The bytes every flooder payload starts with. */
    public static final int HEADER_BYTES = 16;

    private Payloads() {
    }

    /** A payload of {@code sizeBytes} carrying {@code sequence} and {@code sentNanos}. */
    public static byte[] encode(long sequence, long sentNanos, int sizeBytes) {
        byte[] p = new byte[sizeBytes];
        ByteBuffer.wrap(p).putLong(sequence).putLong(sentNanos);
        return p;
    }

    /** The sequence number of {@code payload}. */
    public static long sequence(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong(0);
    }

    /** The send stamp of {@code payload}. */
    public static long sentNanos(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong(8);
    }
}
