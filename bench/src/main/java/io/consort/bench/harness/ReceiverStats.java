package io.consort.bench.harness;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one receiving member checks and measures; called from one delivery thread at a time.
 *
 * <p>Each of the {@code senders} sends {@code warmup + count} messages; from each sender every
 * message must come exactly once and in that sender's order (both systems give at least FIFO per
 * sender); anything else is recorded as an error and fails the run. The digest folds every
 * (sender, number) pair in delivery order, so members that delivered the same messages in the same
 * total order report the same digest and a different interleaving of the senders changes it: the
 * orchestrator compares digests where the system promises total order.
 *
 * <p>Throughput is measured messages (all senders') / (earliest send stamp of a first measured
 * message .. arrival of the last), at this member. Latency: send stamp to arrival, measured messages only, HdrHistogram
 * with 3 significant digits (the stamps are a shared clock on one Linux host, see {@link Payload}).
 */
public final class ReceiverStats {
    private final long warmup;
    private final long total;
    private final int sizeBytes;
    private final long perSender;
    private final long[] nextExpected;
    private final Histogram latencyNanos = new Histogram(3);
    private volatile long received;
    private long firstMeasuredStamp = Long.MAX_VALUE;
    private long measuredCount;
    private long lastArrival;
    private long digest = 0xcbf29ce484222325L;
    private volatile String error = "";
    /** NETWORK views seen while measuring: a gap after one is EVS at work, not a lost message. */
    private volatile int configurationChanges;
    private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    public ReceiverStats(long warmup, long count, int sizeBytes) {
        this(warmup, count, sizeBytes, 1);
    }

    public ReceiverStats(long warmup, long count, int sizeBytes, int senders) {
        this.warmup = warmup;
        this.perSender = warmup + count;
        this.total = perSender * senders;
        this.sizeBytes = sizeBytes;
        this.nextExpected = new long[senders];
    }

    /** One delivered message, {@code length} bytes at {@code offset} of {@code buf}. */
    public void onMessage(byte[] buf, int offset, int length) {
        if (length < Payload.HEADER_BYTES) {
            fail("a message of " + length + " bytes, expected " + sizeBytes);
            return;
        }
        onMessage(Payload.sequence(buf, offset), Payload.sentNanos(buf, offset), length);
    }

    /** The same for a payload read in place (big-endian, as {@link Payload} writes it), without a copy. */
    public void onMessage(java.nio.ByteBuffer payload) {
        int at = payload.position();
        if (payload.remaining() < Payload.HEADER_BYTES) {
            fail("a message of " + payload.remaining() + " bytes, expected " + sizeBytes);
            return;
        }
        onMessage(payload.getLong(at), payload.getLong(at + 8), payload.remaining());
    }

    private void onMessage(long tagged, long stamp, int length) {
        long now = System.nanoTime();
        if (!error.isEmpty()) {
            return;
        }
        if (length != Math.max(Payload.HEADER_BYTES, sizeBytes)) {
            fail("a message of " + length + " bytes, expected " + sizeBytes);
            return;
        }
        int sender = Payload.senderOf(tagged);
        long seq = Payload.numberOf(tagged);
        if (sender >= nextExpected.length) {
            fail("a message from sender " + sender + " of " + nextExpected.length);
            return;
        }
        if (seq != nextExpected[sender]) {
            fail("expected message " + (nextExpected.length > 1 ? sender + ":" : "") + nextExpected[sender]
                    + " but got " + seq);
            return;
        }
        nextExpected[sender]++;
        digest = (digest ^ tagged) * 0x100000001b3L;
        if (seq >= warmup) {
            if (seq == warmup) {
                firstMeasuredStamp = Math.min(firstMeasuredStamp, stamp);
            }
            latencyNanos.recordValue(Math.max(0, now - stamp));
            measuredCount++;
        }
        lastArrival = now;
        received = received + 1;
        if (received == total) {
            done.countDown();
        }
    }

    /**
     * The daemons' configuration changed during the run (a NETWORK view). Virtual synchrony lets
     * members that parted miss each other's messages, so a gap after this is a run disturbed by a
     * membership change (usually a starved daemon), not a reliability bug; the result line says so.
     */
    public void onConfigurationChange() {
        configurationChanges++;
    }

    /** Ends the run for this member with an error (e.g. its stream failed). */
    public void fail(String why) {
        error = why;
        done.countDown();
    }

    /** Waits until every message came, an error, or the timeout; true if all came. */
    public boolean await(long timeoutMillis) throws InterruptedException {
        return done.await(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS) && error.isEmpty();
    }

    public long received() {
        return received;
    }

    /** The result line the orchestrator parses: {@code RESULT key=value ...}. */
    public synchronized String resultLine(String system, String role, int member) {
        long measured = measuredCount;
        double seconds = measured == 0 ? 0 : (lastArrival - firstMeasuredStamp) / 1e9;
        double msgs = seconds > 0 ? measured / seconds : 0;
        return String.format(Locale.ROOT,
                "RESULT system=%s role=%s member=%d received=%d missing=%d msgs_per_s=%.0f mb_per_s=%.2f"
                        + " p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f digest=%016x config_changes=%d"
                        + " window_start_ns=%d window_end_ns=%d error=%s",
                system, role, member, received, total - received, msgs, msgs * sizeBytes / 1e6,
                latencyNanos.getValueAtPercentile(50) / 1e3, latencyNanos.getValueAtPercentile(99) / 1e3,
                latencyNanos.getValueAtPercentile(99.9) / 1e3, latencyNanos.getMaxValue() / 1e3, digest,
                configurationChanges, firstMeasuredStamp, lastArrival, error.isEmpty() ? "-" : error.replace(' ', '_'));
    }
}
