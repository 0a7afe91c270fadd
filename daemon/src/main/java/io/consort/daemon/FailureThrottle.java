package io.consort.daemon;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down login guessing: each failed login from an address is answered after a delay that
 * starts at {@code minNanos} and doubles with each further failure from that address, up to
 * {@code maxNanos}. An address that stays quiet for {@link #FORGET_FACTOR} times the longest delay is
 * forgotten, and at most {@code addressesMax} addresses are remembered (the least recently failing
 * go first), so the table's memory is bounded whatever the number of attackers.
 */
final class FailureThrottle {
    /** An address is forgotten after this many longest delays without a failure. */
    static final int FORGET_FACTOR = 6;

    private final long minNanos;
    private final long maxNanos;
    private final Map<InetAddress, long[]> failures; // {count, lastFailureNanos}

    FailureThrottle(long minNanos, long maxNanos, int addressesMax) {
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.failures = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, long[]> eldest) {
                return size() > addressesMax;
            }
        };
    }

    /** Records a failure from {@code address} at {@code nowNanos}; returns how long to wait before answering it. */
    synchronized long failed(InetAddress address, long nowNanos) {
        long[] f = failures.get(address);
        if (f == null || nowNanos - f[1] > FORGET_FACTOR * maxNanos) {
            f = new long[2];
            failures.put(address, f);
        }
        f[0]++;
        f[1] = nowNanos;
        int doublings = (int) Math.min(62, f[0] - 1);
        long delay = minNanos;
        for (int i = 0; i < doublings && delay < maxNanos; i++) {
            delay *= 2;
        }
        return Math.min(maxNanos, delay);
    }

    /** How many addresses are remembered now. */
    synchronized int size() {
        return failures.size();
    }
}
