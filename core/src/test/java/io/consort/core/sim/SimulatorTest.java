package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Randomized runs of the simulator, each checked against SPEC.md's invariants.
 *
 * <ul>
 *   <li>{@link #ciBudget}: seeds 1 to {@code consort.sim.ciSeeds} (500 by default), on every build;</li>
 *   <li>{@link #replay}: the one seed {@code consort.sim.seed}, with its fault trace printed;</li>
 *   <li>{@link #soak}: {@code consort.sim.seeds} seeds from {@code consort.sim.start} (default 1,000,000).</li>
 * </ul>
 * A failing seed prints the command that replays it; add it to {@link RegressionSeedsTest}.
 */
class SimulatorTest {
    static List<String> runSeeds(long from, long count) {
        return runSeeds(from, count, 0);
    }

    /** Runs seeds with daemons stalling {@code stallsPerSecond} times a second during the chaos (0: none). */
    static List<String> runSeeds(long from, long count, double stallsPerSecond) {
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong events = new AtomicLong();
        long start = System.nanoTime();
        LongStream.range(from, from + count).parallel().forEach(seed -> {
            if (failures.size() >= 10) {
                return;
            }
            Simulator sim = new Simulator(seed, stallsPerSecond);
            List<InvariantChecker.Violation> v;
            try {
                v = sim.run();
            } catch (RuntimeException | AssertionError e) {
                java.io.StringWriter w = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(w));
                failures.add("seed " + seed + " threw: " + w + "\nreplay: " + sim.replayCommand());
                return;
            }
            events.addAndGet(sim.events);
            if (!v.isEmpty()) {
                failures.add(sim.report(v));
            }
        });
        System.out.printf("simulator: seeds %d..%d, %d events, %.1f s, %d failing%n", from, from + count - 1,
                events.get(), (System.nanoTime() - start) / 1e9, failures.size());
        failures.forEach(System.out::println);
        return failures;
    }

    /** {@code -Dconsort.sim.stalls=R}: daemons stall R times a second in replayed and soaked runs. */
    private static double stallsPerSecond() {
        return Double.parseDouble(System.getProperty("consort.sim.stalls", "0"));
    }

    @Test
    void ciBudget() {
        long n = Long.getLong("consort.sim.ciSeeds", 500);
        assertThat(runSeeds(1, n)).isEmpty();
    }

    /** A run's fingerprint: every session's log, entry by entry, and the event count. */
    private static String fingerprint(Simulator sim) {
        StringBuilder b = new StringBuilder().append(sim.events).append('\n');
        for (SessionLog log : sim.logs) {
            b.append(log.name).append(' ').append(log.end).append(':');
            for (SessionLog.Entry e : log.entries) {
                b.append(' ').append(e instanceof SessionLog.Delivered d ? "m" + d.msgId() + "@" + d.event().sequence()
                        : e.toString());
            }
            b.append('\n');
        }
        return b.toString();
    }

    @Test
    void aSeedReplaysBitForBit() {
        Simulator first = new Simulator(4242);
        first.run();
        Simulator second = new Simulator(4242);
        second.run();
        assertThat(fingerprint(second)).isEqualTo(fingerprint(first));
        assertThat(first.events).isGreaterThan(10_000);
    }

    @Test
    void replay() {
        String seed = System.getProperty("consort.sim.seed");
        Assumptions.assumeTrue(seed != null, "set -Dconsort.sim.seed=N to replay one seed");
        Simulator sim = new Simulator(Long.parseLong(seed), stallsPerSecond());
        List<InvariantChecker.Violation> v = sim.run();
        System.out.println(sim.report(v));
        assertThat(v).isEmpty();
    }

    @Test
    void soak() {
        String seeds = System.getProperty("consort.sim.seeds");
        Assumptions.assumeTrue(seeds != null, "set -Dconsort.sim.seeds=N to soak");
        long from = Long.getLong("consort.sim.start", 1_000_000);
        assertThat(runSeeds(from, Long.parseLong(seeds), stallsPerSecond())).isEmpty();
    }
}
