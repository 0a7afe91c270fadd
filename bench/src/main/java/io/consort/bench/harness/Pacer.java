package io.consort.bench.harness;

import java.util.concurrent.locks.LockSupport;

/**
 * Send stamps for a sender. Flat out ({@code ratePerSecond} 0) a message is stamped when it is
 * made. At a fixed rate, message {@code i} is due at {@code start + i / rate}, the sender waits for
 * that time and stamps the message with it, not with when it went out: a sender held back by flow
 * control then shows as latency instead of hiding it (coordinated omission, corrected as wrk2 does).
 */
public final class Pacer {
    private final long ratePerSecond;
    private long start;

    public Pacer(long ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
    }

    /** The stamp of message {@code i}, waiting for its due time first when paced. */
    public long stamp(long i) {
        if (ratePerSecond <= 0) {
            return System.nanoTime();
        }
        if (i == 0) {
            start = System.nanoTime();
        }
        long due = start + i * 1_000_000_000L / ratePerSecond;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            // No spinning: 2 shared cores. A late wake-up sends a small burst, stamped as due.
            LockSupport.parkNanos(wait);
        }
        return due;
    }
}
