package io.consort.bench.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU time of every process the harness started, sampled every few milliseconds, so that a run's
 * CPU per message covers its measured window only (not JVM start-up, JIT warm-up or shutdown).
 *
 * <p>Samples are {@code (System.nanoTime(), cumulative CPU of the process)} per pid; the members stamp
 * their window with {@code System.nanoTime()} too, which on Linux is one clock (CLOCK_MONOTONIC) for
 * every process on the machine. A process's CPU at a time between two samples is interpolated.
 *
 * <pre>{@code
 * try (CpuSampler cpu = CpuSampler.start()) {
 *     ... run ...
 *     double seconds = cpu.cpuSecondsBetween(windowStartNanos, windowEndNanos);
 * }
 * }</pre>
 */
final class CpuSampler implements AutoCloseable {
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Map<Long, List<long[]>> samples = new HashMap<>();
    private final Map<Long, String> labels = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private CpuSampler() {
        thread = new Thread(this::run, "cpu-sampler");
        thread.setDaemon(true);
    }

    static CpuSampler start() {
        CpuSampler s = new CpuSampler();
        s.thread.start();
        return s;
    }

    private void run() {
        while (running) {
            sample();
            LockSupport.parkNanos(PERIOD_NANOS);
        }
    }

    private void sample() {
        ProcessHandle.current().descendants().forEach(p -> p.info().totalCpuDuration().ifPresent(d -> {
            long now = System.nanoTime();
            synchronized (samples) {
                samples.computeIfAbsent(p.pid(), k -> new ArrayList<>()).add(new long[] {now, d.toNanos()});
                labels.computeIfAbsent(p.pid(), k -> label(p));
            }
        }));
    }

    /** CPU seconds all sampled processes used from {@code fromNanos} to {@code toNanos}. */
    double cpuSecondsBetween(long fromNanos, long toNanos) {
        sample();
        long total = 0;
        synchronized (samples) {
            for (List<long[]> series : samples.values()) {
                total += at(series, toNanos) - at(series, fromNanos);
            }
        }
        return total / 1e9;
    }

    /**
     * Each process's share of {@link #cpuSecondsBetween}, in microseconds per message, labelled by what it
     * is ({@code consortd-d1}, {@code consort-member-0}, {@code jgroups-member-1}): where the CPU goes.
     */
    String breakdown(long fromNanos, long toNanos, long messages) {
        StringBuilder b = new StringBuilder();
        synchronized (samples) {
            samples.entrySet().stream()
                    .map(e -> Map.entry(labels.getOrDefault(e.getKey(), "pid" + e.getKey()),
                            (at(e.getValue(), toNanos) - at(e.getValue(), fromNanos)) / 1e3 / messages))
                    .filter(e -> e.getValue() > 0.05)
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> b.append(b.length() == 0 ? "" : " ").append(e.getKey())
                            .append(String.format(java.util.Locale.ROOT, "=%.1f", e.getValue())));
        }
        return b.toString();
    }

    private static String label(ProcessHandle p) {
        String[] args = p.info().arguments().orElse(new String[0]);
        String kind = null;
        String id = "";
        for (int i = 0; i < args.length; i++) {
            if (args[i].endsWith("consortd.jar")) {
                kind = "consortd";
            } else if (args[i].equals("consort-member") || args[i].equals("jgroups-member")
                    || args[i].equals("consort-load")) {
                kind = args[i];
            } else if ((args[i].equals("--name") || args[i].equals("--index")) && i + 1 < args.length) {
                id = args[i + 1];
            }
        }
        return kind == null ? "pid" + p.pid() : kind + "-" + id;
    }

    /** The process's cumulative CPU at {@code t}: its first value before it was first seen, its last after it was last seen. */
    static long at(List<long[]> series, long t) {
        long[] prev = null;
        for (long[] s : series) {
            if (s[0] - t >= 0) {
                if (prev == null) {
                    return s[1];
                }
                double f = (double) (t - prev[0]) / Math.max(1, s[0] - prev[0]);
                return prev[1] + Math.round(f * (s[1] - prev[1]));
            }
            prev = s;
        }
        return prev == null ? 0 : prev[1];
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
