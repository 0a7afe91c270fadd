package io.consort.samples.flooder;

import io.consort.core.ServiceLevel;
import io.consort.reactive.GroupMessage;
import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * What one receiving session checks and measures. Called from that session's thread only, so it
 * needs no locks; the flooder reads it after the session's stream ended, which orders the reads
 * after the writes.
 *
 * <p>At FIFO and stronger the one sender's messages must arrive exactly in send order with no
 * gap; at RELIABLE each exactly once, in any order; at UNRELIABLE at most once. Anything else
 * throws at once, which fails the receiver's stream and the run.
 */
final class Receiver {
    private final String name;
    private final ServiceLevel level;
    private final long total;
    private final long warmup;
    private final int sizeBytes;
    private final Histogram latencyNanos = new Histogram(3);
    private final BitSet seen = new BitSet();
    private long received;
    private long nextExpected;
    private long lastArrivalNanos;

    Receiver(String name, ServiceLevel level, long total, long warmup, int sizeBytes) {
        this.name = name;
        this.level = level;
        this.total = total;
        this.warmup = warmup;
        this.sizeBytes = sizeBytes;
    }

    void onMessage(GroupMessage m) {
        long now = System.nanoTime();
        if (m.payloadLength() != sizeBytes) {
            throw new IllegalStateException(name + ": a message of " + m.payloadLength() + " bytes, expected "
                    + sizeBytes + " (" + m + ")");
        }
        byte[] p = m.payload();
        long seq = Payloads.sequence(p);
        if (seq < 0 || seq >= total) {
            throw new IllegalStateException(name + ": sequence " + seq + " was never sent (0.." + (total - 1) + ")");
        }
        if (level.compareTo(ServiceLevel.FIFO) >= 0) {
            if (seq != nextExpected) {
                throw new IllegalStateException(name + ": expected message " + nextExpected + " but got " + seq
                        + " at " + level + (seq > nextExpected ? " (a gap)" : " (out of order or duplicate)"));
            }
            nextExpected++;
        } else {
            if (seen.get((int) seq)) {
                throw new IllegalStateException(name + ": message " + seq + " delivered twice");
            }
            seen.set((int) seq);
        }
        received++;
        lastArrivalNanos = now;
        if (seq >= warmup) {
            latencyNanos.recordValue(Math.max(0, now - Payloads.sentNanos(p)));
        }
    }

    String name() {
        return name;
    }

    long received() {
        return received;
    }

    /** Messages that never came: only UNRELIABLE may have any when the run ends. */
    long missing() {
        return total - received;
    }

    long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    Histogram latencyNanos() {
        return latencyNanos;
    }
}
