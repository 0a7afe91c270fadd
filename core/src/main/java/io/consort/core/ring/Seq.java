package io.consort.core.ring;

/**
 * Sequence numbers compared modulo 2^64 (serial number arithmetic, RFC 1982): {@code a} is before
 * {@code b} when {@code b - a}, as a signed 64-bit number, is positive. Correct as long as no two
 * numbers compared are 2^63 or more apart, which a ring's window keeps far from true.
 */
public final class Seq {
    private Seq() {
    }

    /** Whether {@code a} comes before {@code b}. */
    public static boolean lt(long a, long b) {
        return a - b < 0;
    }

    /** Whether {@code a} comes before or is {@code b}. */
    public static boolean le(long a, long b) {
        return a - b <= 0;
    }

    /** The later of two sequence numbers. */
    public static long max(long a, long b) {
        return lt(a, b) ? b : a;
    }

    /** The earlier of two sequence numbers. */
    public static long min(long a, long b) {
        return lt(a, b) ? a : b;
    }
}
