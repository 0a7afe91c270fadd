package io.consort.samples.flooder;

import io.consort.core.ServiceLevel;
import java.time.Duration;
import java.util.Objects;

/**
 * One flooder run: how many messages, how big, at which level, to how many receivers, how fast.
 * Validated when built; every {@code with...} returns a copy.
 *
 * <pre>{@code
 * FlooderConfig c = FlooderConfig.defaults().withMessages(200_000).withWarmup(50_000).withReceivers(2);
 * }</pre>
 *
 * @param messages  messages measured, after the warm-up
 * @param warmup    messages sent first and not measured (JIT, buffers, connections settle)
 * @param sizeBytes payload size; at least {@value Payloads#HEADER_BYTES} for the sequence and the time stamp
 * @param level     the service level of every message
 * @param receivers receiving sessions, each a member of the group
 * @param ratePerSecond offered messages per second, warm-up included; 0 sends as fast as send credits allow
 * @param timeout   the bound on the whole run; past it the run fails and says how far each receiver got
 * @param group     the group flooded
 */
public record FlooderConfig(long messages, long warmup, int sizeBytes, ServiceLevel level, int receivers,
        long ratePerSecond, Duration timeout, String group) {
    public FlooderConfig {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(group, "group");
        if (messages <= 0) {
            throw new IllegalArgumentException("messages must be positive, was " + messages);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup must not be negative, was " + warmup);
        }
        if (messages + warmup > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " messages in all");
        }
        if (sizeBytes < Payloads.HEADER_BYTES) {
            throw new IllegalArgumentException("size must be at least " + Payloads.HEADER_BYTES
                    + " bytes (sequence and time stamp), was " + sizeBytes);
        }
        if (receivers <= 0) {
            throw new IllegalArgumentException("receivers must be positive, was " + receivers);
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative, was " + ratePerSecond);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** 100k measured messages after 10k of warm-up, 1000 bytes, AGREED, one receiver, flat out, 60 s bound. */
    public static FlooderConfig defaults() {
        return new FlooderConfig(100_000, 10_000, 1000, ServiceLevel.AGREED, 1, 0, Duration.ofSeconds(60), "flood");
    }

    /** Warm-up and measured messages together. */
    public long total() {
        return warmup + messages;
    }

    public FlooderConfig withMessages(long messages) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withWarmup(long warmup) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withSizeBytes(int sizeBytes) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withLevel(ServiceLevel level) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withReceivers(int receivers) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withRatePerSecond(long ratePerSecond) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withTimeout(Duration timeout) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }

    public FlooderConfig withGroup(String group) {
        return new FlooderConfig(messages, warmup, sizeBytes, level, receivers, ratePerSecond, timeout, group);
    }
}
