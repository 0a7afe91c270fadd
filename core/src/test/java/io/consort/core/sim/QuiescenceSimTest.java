package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The multi-process kill -9 test in the simulator: three daemons under steady load at mixed levels,
 * one crashes, restarts and merges back, the load stops, and after a quiet period every message
 * delivered anywhere in a view must have been delivered by every member of that view (SPEC
 * invariants 8 and 9: nothing is stranded when the ring goes idle).
 */
class QuiescenceSimTest {
    private static final ServiceLevel[] LEVELS = {ServiceLevel.AGREED, ServiceLevel.FIFO, ServiceLevel.SAFE,
        ServiceLevel.CAUSAL};

    static List<InvariantChecker.Violation> crashRestartThenQuiet(long seed, double loss) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 3;
        p.faults = false;
        p.loss = loss;
        p.maxDelayNanos = 300_000 + seed % 7 * 200_000;
        Simulator sim = new Simulator(seed, p);
        sim.startAll();
        sim.runUntil(500 * Simulator.MS);
        List<Long> clients = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            for (int k = 0; k < 2; k++) {
                long c = sim.connect(d);
                sim.join(c, "g0");
                clients.add(c);
            }
        }
        long t = 700 * Simulator.MS;
        sim.runUntil(t);
        long crashAt = t + 400 * Simulator.MS + seed % 13 * Simulator.MS;
        long restartAt = crashAt + 700 * Simulator.MS;
        long stopAt = restartAt + 900 * Simulator.MS + seed % 11 * 300_000;
        int i = 0;
        boolean crashed = false;
        boolean restarted = false;
        while (t < stopAt) {
            if (!crashed && t >= crashAt) {
                sim.crash(2);
                crashed = true;
            }
            if (!restarted && t >= restartAt) {
                sim.restart(2);
                sim.runUntil(t + 100 * Simulator.MS);
                for (int k = 0; k < 2; k++) {
                    long c = sim.connect(2);
                    sim.join(c, "g0");
                    clients.add(c);
                }
                restarted = true;
            }
            for (long c : clients) {
                sim.multicast(c, List.of("g0"), LEVELS[i++ % LEVELS.length], false);
            }
            t += 10 * Simulator.MS;
            sim.runUntil(t);
        }
        sim.runUntil(stopAt + 1500 * Simulator.MS);
        if (Boolean.getBoolean("consort.sim.quietVerbose")) {
            long tr = sim.log(clients.get(0)).entries.stream().filter(e -> e instanceof SessionLog.Transitional).count();
            System.out.println("seed " + seed + ": transitional signals at the first survivor " + tr + ", sent "
                    + sim.sent.size());
        }
        List<InvariantChecker.Violation> v = new ArrayList<>(InvariantChecker.check(sim.logs, sim.sent));
        v.addAll(InvariantChecker.checkQuiescent(sim.logs, sim.sent));
        return v;
    }

    @Test
    void nothingIsStrandedWhenLoadStopsAfterCrashRestartAndMerge() {
        int failing = 0;
        StringBuilder b = new StringBuilder();
        for (long seed = 1; seed <= Long.getLong("consort.sim.quietSeeds", 8); seed++) {
            List<InvariantChecker.Violation> v = crashRestartThenQuiet(seed, seed % 2 == 0 ? 0 : 0.01);
            if (!v.isEmpty()) {
                failing++;
                b.append("seed ").append(seed).append(": ").append(v.get(0)).append('\n');
            }
        }
        System.out.print(b);
        assertThat(failing).as(b::toString).isZero();
    }
}
