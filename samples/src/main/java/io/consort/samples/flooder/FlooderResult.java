package io.consort.samples.flooder;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What a flooder run measured: throughput over the measured messages, and the latency of every
 * measured message at every receiver (send stamp to delivery, nanoseconds).
 *
 * @param config          the run
 * @param elapsedNanos    from the send of the first measured message to its last delivery at the slowest receiver
 * @param latencyNanos    all receivers' measured latencies together
 * @param receivedCounts  per receiver, every message it got, warm-up included
 * @param missing         messages that did not arrive, summed over receivers (only UNRELIABLE may have any)
 */
public record FlooderResult(FlooderConfig config, long elapsedNanos, Histogram latencyNanos,
        List<Long> receivedCounts, long missing) {
    public FlooderResult {
        receivedCounts = List.copyOf(receivedCounts);
    }

    /** Measured messages per second sent and delivered to every receiver. */
    public double messagesPerSecond() {
        return config.messages() * 1e9 / Math.max(1, elapsedNanos);
    }

    /** Payload megabytes (10^6) per second delivered, over all receivers. */
    public double deliveredMegabytesPerSecond() {
        return messagesPerSecond() * config.sizeBytes() * config.receivers() / 1e6;
    }

    /** The latency at {@code percentile} (0..100), in microseconds. */
    public double latencyMicros(double percentile) {
        return latencyNanos.getValueAtPercentile(percentile) / 1000.0;
    }

    /** One line of key=value pairs, stable, for scripts: starts with {@code FLOODER}. */
    public String summaryLine() {
        return String.format(Locale.ROOT,
                "FLOODER level=%s size=%d receivers=%d messages=%d warmup=%d rate=%d elapsed_ms=%.1f msgs_per_s=%.0f "
                        + "mb_per_s=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f missing=%d",
                config.level(), config.sizeBytes(), config.receivers(), config.messages(), config.warmup(),
                config.ratePerSecond(), elapsedNanos / 1e6, messagesPerSecond(), deliveredMegabytesPerSecond(),
                latencyMicros(50), latencyMicros(99), latencyMicros(99.9), latencyNanos.getMaxValue() / 1000.0,
                missing);
    }

    /** A table for people. */
    public String table() {
        String nl = System.lineSeparator();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-22s %s%n", "level", config.level()));
        b.append(String.format(Locale.ROOT, "%-22s %d bytes%n", "message size", config.sizeBytes()));
        b.append(String.format(Locale.ROOT, "%-22s %d%n", "receivers", config.receivers()));
        b.append(String.format(Locale.ROOT, "%-22s %d (+ %d warm-up)%n", "messages", config.messages(),
                config.warmup()));
        b.append(String.format(Locale.ROOT, "%-22s %s%n", "offered rate",
                config.ratePerSecond() == 0 ? "flat out" : config.ratePerSecond() + " msgs/s"));
        b.append(String.format(Locale.ROOT, "%-22s %.1f ms%n", "elapsed", elapsedNanos / 1e6));
        b.append(String.format(Locale.ROOT, "%-22s %,.0f msgs/s%n", "throughput", messagesPerSecond()));
        b.append(String.format(Locale.ROOT, "%-22s %.1f MB/s%n", "delivered payload", deliveredMegabytesPerSecond()));
        b.append(String.format(Locale.ROOT, "%-22s %10s %10s %10s %10s%n", "latency (us)", "p50", "p99", "p99.9",
                "max"));
        b.append(String.format(Locale.ROOT, "%-22s %10.1f %10.1f %10.1f %10.1f%n", "", latencyMicros(50),
                latencyMicros(99), latencyMicros(99.9), latencyNanos.getMaxValue() / 1000.0));
        b.append(String.format(Locale.ROOT, "%-22s %s, %d missing", "received per receiver", receivedCounts,
                missing));
        return b.append(nl).toString();
    }
}
