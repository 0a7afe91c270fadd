package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stalled daemon is not a failed one. A daemon process stops for a while more often than it
 * crashes: a garbage collection, a CPU-starved machine, a suspended VM. When it resumes, the
 * token and the others' packets are waiting in its input queue; a ring that reads its own
 * overdue timers as "the others are gone" splits into single-daemon rings and merges again,
 * and every client sees two configuration changes for nothing (worse: in a split, writes made
 * on both sides diverge). These runs pause daemons under traffic, one at a time and all at
 * once (one JVM hosting several daemons, as in the embedded tests), and require the ring to
 * keep its configuration.
 */
class PauseSimTest {
    private static final long MS = Simulator.MS;

    private static Simulator quiet(int daemons, long seed) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = daemons;
        p.faults = false;
        Simulator sim = new Simulator(seed, p);
        sim.startAll();
        return sim;
    }

    /** Connects a session per daemon, all in group g, and returns them once the ring has settled. */
    private static long[] settledWithSessions(Simulator sim) {
        sim.runUntil(500 * MS);
        long[] s = new long[sim.daemons()];
        for (int d = 0; d < s.length; d++) {
            s[d] = sim.connect(d);
            sim.join(s[d], "g");
        }
        sim.runUntil(700 * MS);
        for (int d = 0; d < s.length; d++) {
            assertThat(sim.engine(d).configurationMembers()).as("d" + d + " before the pause").hasSize(s.length);
        }
        return s;
    }


    /** Multicasts from every session, one round each millisecond, for {@code millis}. */
    private static void traffic(Simulator sim, long[] sessions, long millis) {
        long end = sim.now + millis * MS;
        int i = 0;
        while (sim.now < end) {
            long s = sessions[i++ % sessions.length];
            sim.multicast(s, List.of("g"), i % 4 == 0 ? ServiceLevel.SAFE : ServiceLevel.AGREED, false);
            sim.runUntil(sim.now + MS);
        }
    }

    private static void assertSameConfigurationAndEverythingDelivered(Simulator sim, long[] before) {
        sim.runUntil(sim.now + 1000 * MS);
        assertThat(sim.configurationIds()).as("configuration ids after the pause (%s)", sim.trace)
                .containsExactly(before);
        assertThat(InvariantChecker.checkQuiescent(sim.logs, sim.sent)).isEmpty();
        assertThat(InvariantChecker.check(sim.logs, sim.sent)).isEmpty();
    }

    /**
     * One daemon stops for longer than the token loss timeout would allow if its own late timer
     * counted as the others' silence, but shorter than the timeout itself: nobody may notice.
     */
    @ParameterizedTest(name = "{0} daemons")
    @ValueSource(ints = {2, 3, 5})
    void oneDaemonStalledForLessThanTheTokenLossTimeoutKeepsTheRing(int daemons) {
        long tokenLossMs = EngineConfig.defaults().tokenLossTimeoutNanos() / MS;
        for (int victim = 0; victim < daemons; victim++) {
            Simulator sim = quiet(daemons, 7 + victim);
            long[] s = settledWithSessions(sim);
            long[] before = sim.configurationIds();
            traffic(sim, s, 50);
            sim.pause(victim, (tokenLossMs * 3 / 4) * MS);
            traffic(sim, s, tokenLossMs * 2);
            assertSameConfigurationAndEverythingDelivered(sim, before);
        }
    }

    /**
     * Every daemon stops at once, as when the one JVM hosting them collects garbage or is
     * descheduled, for far longer than any timeout: on resuming, each finds its timers overdue
     * and the token in its queue. The ring must carry on as it was.
     */
    @ParameterizedTest(name = "{0} daemons")
    @ValueSource(ints = {2, 3, 5})
    void allDaemonsStalledTogetherKeepTheRing(int daemons) {
        for (long pauseMs : new long[] {150, 400, 2000}) {
            Simulator sim = quiet(daemons, 11 + pauseMs);
            long[] s = settledWithSessions(sim);
            long[] before = sim.configurationIds();
            traffic(sim, s, 50);
            for (int d = 0; d < daemons; d++) {
                sim.pause(d, pauseMs * MS);
            }
            traffic(sim, s, pauseMs + 200);
            assertSameConfigurationAndEverythingDelivered(sim, before);
        }
    }

    /**
     * Staggered stalls, as on an overloaded two-core machine running three daemons: each daemon
     * stops for a random 20 to 120 ms, often overlapping with the others' stalls, for several
     * seconds of traffic. No configuration change, and everything is delivered.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void staggeredShortStallsUnderLoadKeepTheRing(long seed) {
        Simulator sim = quiet(3, seed);
        long[] s = settledWithSessions(sim);
        long[] before = sim.configurationIds();
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 40; round++) {
            int d = r.nextInt(3);
            sim.pause(d, (20 + r.nextInt(101)) * MS);
            traffic(sim, s, 10 + r.nextInt(100));
        }
        assertSameConfigurationAndEverythingDelivered(sim, before);
    }

    /** A stall longer than the failure timeouts is a failure: the others go on without the daemon, then merge. */
    @Test
    void aDaemonStalledForSecondsIsExcludedAndMergesBack() {
        Simulator sim = quiet(3, 5);
        long[] s = settledWithSessions(sim);
        traffic(sim, s, 20);
        sim.pause(2, 3000 * MS);
        List<List<Integer>> seenByD0 = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            traffic(sim, s, 100);
            List<Integer> m = sim.engine(0).configurationMembers();
            if (seenByD0.isEmpty() || !seenByD0.get(seenByD0.size() - 1).equals(m)) {
                seenByD0.add(m);
            }
        }
        sim.runUntil(sim.now + 2000 * MS);
        assertThat(seenByD0).as("d0's configurations").contains(List.of(0, 1));
        for (int d = 0; d < 3; d++) {
            assertThat(sim.engine(d).configurationMembers()).as("d" + d + " after the merge").containsExactly(0, 1, 2);
        }
        assertThat(InvariantChecker.check(sim.logs, sim.sent)).isEmpty();
    }

    /**
     * The randomized runs (crashes, partitions, loss, client churn) with daemons also stalling
     * twice a second for 10 to 300 ms: every invariant, liveness included, still holds.
     */
    @Test
    void randomRunsWithStallsKeepEveryInvariant() {
        long n = Long.getLong("consort.sim.stallSeeds", 150);
        assertThat(SimulatorTest.runSeeds(1, n, 2.0)).isEmpty();
    }
}
