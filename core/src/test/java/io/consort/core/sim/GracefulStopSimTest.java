package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Graceful stops (issue 4, item 2) in the simulator: one daemon of 2 to 7 stops as SIGTERM stops it,
 * at a random moment under load at every level, with datagram loss and duplication, sometimes right
 * as it handles the token, sometimes while the ring idles. Each seed asserts:
 * <ul>
 *   <li>the stop completes by the others' answers, inside {@link EngineConfig#leaveTimeoutNanos()};</li>
 *   <li>every survivor leaves the leaver's ring well within a token-loss timeout of the
 *       announcement (a quarter), and settles in the configuration without it within one (virtual
 *       time): they do not wait for the token to be lost;</li>
 *   <li>every surviving member sees each of the leaver's sessions LEAVE before any NETWORK view,
 *       and no NETWORK view (nor the view before it) still lists one of them;</li>
 *   <li>SPEC invariants 1 to 8 and quiescence hold; when the leaver restarts, all daemons merge.</li>
 * </ul>
 * {@code -Dconsort.sim.leaveSeeds=N -Dconsort.sim.leaveStart=S} widens the sweep (a soak).
 */
class GracefulStopSimTest {
    private static final long MS = Simulator.MS;

    /** What one seed showed. */
    record Outcome(long seed, List<String> problems, long stopNanos, long detectNanos, long formNanos, String mode) {
    }

    static Outcome run(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 4);
        Simulator.Params p = new Simulator.Params();
        p.daemons = 2 + r.nextInt(6);
        p.faults = false;
        p.loss = r.nextInt(4) == 0 ? 0 : r.nextDouble() * 0.03;
        p.duplication = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.02;
        p.maxDelayNanos = p.minDelayNanos + 100_000 + r.nextLong(1_500_000);
        p.initialSequence = r.nextInt(4) == 0 ? Long.MAX_VALUE - r.nextInt(200) : r.nextLong();
        if (r.nextInt(8) == 0) {
            p.maxDatagramBytes = 512 + r.nextInt(1024); // most payloads travel as fragments
            p.payloadExtraBytes = 3000;
        }
        Simulator sim = new Simulator(seed, p);
        // -Dconsort.sim.debugFrom/To/Step (ms): print every daemon's ring state in that window.
        sim.debugFrom = Long.getLong("consort.sim.debugFrom", Long.MAX_VALUE / MS) * MS;
        sim.debugTo = Long.getLong("consort.sim.debugTo", 0) * MS;
        sim.debugStep = Long.getLong("consort.sim.debugStep", 1) * MS;
        List<String> problems = new ArrayList<>();
        int n = p.daemons;
        List<Integer> all = new ArrayList<>();
        for (int d = 0; d < n; d++) {
            all.add(d);
        }
        sim.startAll();
        if (!runUntilConverged(sim, all, 3000 * MS)) {
            problems.add("the ring of " + all + " never formed");
            return new Outcome(seed, problems, -1, -1, -1, "-");
        }
        // Sessions: 1 to 3 per daemon, each in 1 to 3 groups.
        List<Long> sessions = new ArrayList<>();
        Map<Long, Integer> daemonOf = new HashMap<>();
        for (int d = 0; d < n; d++) {
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                long s = sim.connect(d);
                sessions.add(s);
                daemonOf.put(s, d);
                for (String g : Simulator.GROUPS) {
                    if (r.nextInt(3) != 0) {
                        sim.join(s, g);
                    }
                }
            }
        }
        sim.runUntil(sim.now + 300 * MS);

        int victim = r.nextInt(n);
        int mode = r.nextInt(3); // 0: any moment, 1: as it handles the token, 2: while the ring idles
        long loadUntil = sim.now + 50 * MS + r.nextLong(300 * MS);
        long requestAt = mode == 2 ? loadUntil + 20 * MS : loadUntil - r.nextLong(10 * MS);
        load(sim, sessions, r, requestAt - (mode == 2 ? 20 * MS : 0));
        sim.runUntil(requestAt);
        Map<SessionLog, Integer> mark = new HashMap<>();
        for (SessionLog log : sim.logs) {
            mark.put(log, log.entries.size());
        }
        Set<String> leavers = new HashSet<>();
        for (long s : sessions) {
            if (daemonOf.get(s) == victim) {
                leavers.add(sim.log(s).name);
            }
        }
        List<Integer> survivors = new ArrayList<>(all);
        survivors.remove(Integer.valueOf(victim));
        if (mode == 1) {
            sim.gracefulStopOnToken(victim);
        } else {
            sim.gracefulStop(victim);
        }
        // Load goes on at the survivors; step 1 ms until the stop is over and the survivors settled.
        long formedAt = -1;
        long detectedAt = -1;
        long end = requestAt + 3000 * MS;
        for (long t = requestAt; t < end && (formedAt < 0 || sim.stopping(victim)); t += MS) {
            if (mode != 2 && t < requestAt + 200 * MS) {
                multicastOnce(sim, sessions, r);
            }
            sim.runUntil(t);
            if (detectedAt < 0 && survivors.stream().noneMatch(d -> sim.engine(d).configurationMembers().equals(all))) {
                detectedAt = t; // every survivor has left the ring with the leaver
            }
            if (formedAt < 0 && converged(sim, survivors)) {
                formedAt = t;
            }
        }
        Simulator.GracefulStop stop = sim.gracefulStops.isEmpty() ? null : sim.gracefulStops.get(0);
        long bound = sim.config(victim, 1).leaveTimeoutNanos();
        long tokenLoss = sim.config(victim, 1).tokenLossTimeoutNanos();
        long stopNanos = -1;
        long detectNanos = -1;
        long formNanos = -1;
        if (stop == null) {
            problems.add("d" + victim + " never began its stop");
        } else {
            if (stop.announcedAt < 0) {
                problems.add("d" + victim + " never announced its leave");
            }
            if (stop.stoppedAt < 0 || stop.stoppedAt - stop.requestedAt >= bound) {
                problems.add("d" + victim + "'s stop took " + (stop.stoppedAt < 0 ? "forever"
                        : (stop.stoppedAt - stop.requestedAt) / MS + " ms") + ", not under its bound of " + bound / MS
                        + " ms (it should end by the others' answers)");
            } else {
                stopNanos = stop.stoppedAt - stop.requestedAt;
            }
            if (formedAt < 0) {
                problems.add("the survivors " + survivors + " never settled in a configuration of their own");
            } else if (stop.announcedAt >= 0) {
                // The leave's own part: every survivor acts on it within a few retransmissions, where
                // a crash costs a token-loss timeout. Forming the new ring (gather, commit, recovery
                // under loss) then takes what it takes after any failure, tens of ms, more when
                // tokens of the recovery are lost; a crash adds a token loss and a consensus timeout.
                detectNanos = detectedAt - stop.announcedAt;
                formNanos = formedAt - stop.announcedAt;
                if (detectNanos >= tokenLoss / 4) {
                    problems.add("the survivors left the leaver's ring only " + detectNanos / MS
                            + " ms after the announcement, not well within a token-loss timeout (" + tokenLoss / MS + " ms)");
                }
                if (formNanos >= tokenLoss) {
                    problems.add("the survivors settled " + formNanos / MS + " ms after the announcement, not within"
                            + " a token-loss timeout (" + tokenLoss / MS + " ms)");
                }
            }
        }
        problems.addAll(leaveBeforeNetwork(sim, mark, leavers, victim));
        // Half the seeds: the leaver comes back and must merge (stale announcements must not keep it out).
        if (r.nextBoolean()) {
            sim.runUntil(sim.now + r.nextLong(200 * MS));
            sim.restart(victim);
            if (!runUntilConverged(sim, all, sim.now + 3000 * MS)) {
                problems.add("d" + victim + " restarted but the ring of " + all + " never formed again");
            }
        }
        sim.runUntil(sim.now + 1000 * MS);
        for (InvariantChecker.Violation v : InvariantChecker.check(sim.logs, sim.sent)) {
            problems.add(v.toString());
        }
        for (InvariantChecker.Violation v : InvariantChecker.checkQuiescent(sim.logs, sim.sent)) {
            problems.add(v.toString());
        }
        if (!problems.isEmpty()) {
            problems.add(0, "seed " + seed + " (" + p + ", victim d" + victim + ", mode " + mode + ")");
            problems.add("trace: " + sim.trace);
        }
        return new Outcome(seed, problems, stopNanos, detectNanos, formNanos,
                mode == 0 ? "any" : mode == 1 ? "token" : "idle");
    }

    /**
     * In every surviving session's log since the stop: a leaver's session leaves each group with a
     * LEAVE view (never DISCONNECT, never silently with a NETWORK view), so no NETWORK view and no view
     * right before one lists it.
     */
    private static List<String> leaveBeforeNetwork(Simulator sim, Map<SessionLog, Integer> mark, Set<String> leavers,
            int victim) {
        List<String> out = new ArrayList<>();
        for (SessionLog log : sim.logs) {
            if (log.daemon == victim || log.end != SessionLog.End.ALIVE || !mark.containsKey(log)) {
                continue;
            }
            Map<String, List<String>> members = new HashMap<>();
            for (SessionLog.Entry e : log.entries.subList(0, mark.get(log))) {
                if (e instanceof SessionLog.View v) {
                    members.put(v.view().group(), v.view().selfLeave() ? List.of() : v.view().members());
                }
            }
            for (SessionLog.Entry e : log.entries.subList(mark.get(log), log.entries.size())) {
                if (!(e instanceof SessionLog.View v)) {
                    continue;
                }
                ViewEvent view = v.view();
                List<String> before = members.getOrDefault(view.group(), List.of());
                for (String s : view.changed()) {
                    if (leavers.contains(s) && view.cause() != ViewCause.LEAVE) {
                        out.add(log.name + " saw " + s + " go from " + view.group() + " with " + view.cause());
                    }
                }
                if (view.cause() == ViewCause.NETWORK) {
                    for (String s : leavers) {
                        if (before.contains(s) || view.members().contains(s)) {
                            out.add(log.name + " had no LEAVE of " + s + " in " + view.group()
                                    + " before the NETWORK view " + view.members());
                        }
                    }
                }
                members.put(view.group(), view.selfLeave() ? List.of() : view.members());
            }
        }
        return out;
    }

    /** Members multicast to random groups at every reliable level, every 1 to 4 ms, until {@code until}. */
    private static void load(Simulator sim, List<Long> sessions, SplittableRandom r, long until) {
        for (long t = sim.now; t < until; t += (1 + r.nextInt(4)) * MS) {
            sim.runUntil(t);
            multicastOnce(sim, sessions, r);
        }
    }

    private static void multicastOnce(Simulator sim, List<Long> sessions, SplittableRandom r) {
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            long s = sessions.get(r.nextInt(sessions.size()));
            List<String> groups = new ArrayList<>();
            groups.add(Simulator.GROUPS[r.nextInt(Simulator.GROUPS.length)]);
            if (r.nextInt(6) == 0) {
                String g = Simulator.GROUPS[r.nextInt(Simulator.GROUPS.length)];
                if (!groups.contains(g)) {
                    groups.add(g);
                }
            }
            sim.multicast(s, groups, ServiceLevel.values()[1 + r.nextInt(5)], r.nextInt(10) == 0);
        }
    }

    private static boolean converged(Simulator sim, List<Integer> daemons) {
        Long conf = null;
        for (int d : daemons) {
            var e = sim.engine(d);
            if (e == null || !e.configurationMembers().equals(daemons) || !e.groupsStable()
                    || (conf != null && conf != e.configurationId())) {
                return false;
            }
            conf = e.configurationId();
        }
        return true;
    }

    private static boolean runUntilConverged(Simulator sim, List<Integer> daemons, long until) {
        for (long t = sim.now; t < until; t += 5 * MS) {
            sim.runUntil(t);
            if (converged(sim, daemons)) {
                return true;
            }
        }
        return false;
    }

    static List<Outcome> sweep(long from, long count) {
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        LongStream.range(from, from + count).parallel().forEach(seed -> {
            try {
                outcomes.add(run(seed));
            } catch (RuntimeException | AssertionError e) {
                java.io.StringWriter w = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(w));
                outcomes.add(new Outcome(seed, List.of("seed " + seed + " threw: " + w), -1, -1, -1, "-"));
            }
        });
        long failing = outcomes.stream().filter(o -> !o.problems().isEmpty()).count();
        long maxStop = outcomes.stream().mapToLong(Outcome::stopNanos).max().orElse(0);
        double meanStop = outcomes.stream().filter(o -> o.stopNanos() >= 0).mapToLong(Outcome::stopNanos).average()
                .orElse(0);
        long maxDetect = outcomes.stream().mapToLong(Outcome::detectNanos).max().orElse(0);
        long maxForm = outcomes.stream().mapToLong(Outcome::formNanos).max().orElse(0);
        double meanForm = outcomes.stream().filter(o -> o.formNanos() >= 0).mapToLong(Outcome::formNanos).average()
                .orElse(0);
        long onToken = outcomes.stream().filter(o -> o.mode().equals("token")).count();
        System.out.printf("graceful stops: seeds %d..%d (%d as the leaver handled the token), %d failing; stop took"
                + " mean %.1f ms, max %.1f ms; after the announcement the survivors left the old ring within %.1f ms"
                + " at most and settled mean %.1f ms, max %.1f ms%n",
                from, from + count - 1, onToken, failing, meanStop / 1e6, maxStop / 1e6, maxDetect / 1e6, meanForm / 1e6,
                maxForm / 1e6);
        outcomes.stream().filter(o -> !o.problems().isEmpty()).limit(5)
                .forEach(o -> System.out.println(String.join("\n  ", o.problems())));
        return outcomes;
    }

    @Test
    void aGracefulStopIsALeaveNotACrash() {
        long from = Long.getLong("consort.sim.leaveStart", 1);
        long count = Long.getLong("consort.sim.leaveSeeds", 150);
        List<Outcome> outcomes = sweep(from, count);
        assertThat(outcomes.stream().filter(o -> !o.problems().isEmpty()).map(o -> o.problems().get(0)))
                .isEmpty();
    }

    /**
     * The bound: a daemon cut off from the others cannot get its departures around, so its stop
     * ends at its leave timeout, not later; the others find out by token loss, as after a crash.
     * (With the default timeout the cut-off daemon would first form a ring of its own, where it
     * has no one to tell, and stop there: a short timeout shows the bound itself.)
     */
    @Test
    void aStopCutOffFromTheRingEndsAtItsLeaveTimeout() {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 3;
        p.faults = false;
        p.leaveTimeoutNanos = 50 * MS;
        Simulator sim = new Simulator(3, p);
        sim.startAll();
        assertThat(runUntilConverged(sim, List.of(0, 1, 2), 2000 * MS)).isTrue();
        long a = sim.connect(0);
        long c = sim.connect(2);
        sim.join(a, "g0");
        sim.join(c, "g0");
        sim.runUntil(sim.now + 200 * MS);
        sim.partition(new int[] {0, 0, 1});
        sim.gracefulStop(2);
        sim.runUntil(sim.now + 3000 * MS);
        Simulator.GracefulStop stop = sim.gracefulStops.get(0);
        assertThat(stop.announcedAt).as("no announcement without the departures held everywhere").isNegative();
        assertThat(stop.stoppedAt - stop.requestedAt).isEqualTo(sim.config(2, 1).leaveTimeoutNanos());
        assertThat(converged(sim, List.of(0, 1))).isTrue();
        assertThat(InvariantChecker.check(sim.logs, sim.sent)).isEmpty();
    }

    /** A daemon alone in its ring has no one to tell: its stop completes at once. */
    @Test
    void aDaemonAloneStopsAtOnce() {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 1;
        p.faults = false;
        Simulator sim = new Simulator(1, p);
        sim.startAll();
        assertThat(runUntilConverged(sim, List.of(0), 2000 * MS)).isTrue();
        long a = sim.connect(0);
        sim.join(a, "g0");
        sim.runUntil(sim.now + 50 * MS);
        sim.gracefulStop(0);
        sim.runUntil(sim.now + 50 * MS);
        Simulator.GracefulStop stop = sim.gracefulStops.get(0);
        assertThat(stop.stoppedAt).isNotNegative();
        assertThat(stop.stoppedAt - stop.requestedAt).isLessThan(10 * MS);
        assertThat(sim.log(a).end).isEqualTo(SessionLog.End.CLOSED);
    }

    /**
     * Soak seeds (2,500 from 1000) whose leaver announced but never heard every member answer, and
     * so stopped only at its leave timeout: the member's joins were all lost, and once in its new
     * ring it ignored the repeated announcement. A member heard in a newer ring (a beacon, a
     * message) now counts as having answered. Seed 4363 (7 daemons, 2.7 % loss): the survivors
     * left the old ring at once but recovery lost tokens and took 210 ms; the bound on settling is
     * a token-loss timeout, the leave-specific bound is on leaving the old ring.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1781, 2563, 2724, 3457, 3485, 4363})
    void seedHolds(long seed) {
        Outcome o = run(seed);
        assertThat(o.problems()).as(() -> String.join("\n  ", o.problems())).isEmpty();
    }

    @Test
    void replay() {
        String seed = System.getProperty("consort.sim.leaveSeed");
        org.junit.jupiter.api.Assumptions.assumeTrue(seed != null, "set -Dconsort.sim.leaveSeed=N to replay one seed");
        Outcome o = run(Long.parseLong(seed));
        System.out.println(String.join("\n  ", o.problems()));
        assertThat(o.problems()).isEmpty();
    }

    /**
     * Graceful stops mixed into the random chaos (partitions, crashes, restarts, loss) of the main
     * simulator: whatever else happens during a stop, SPEC's invariants and liveness after healing hold.
     */
    @Test
    void gracefulStopsAmidChaosKeepEveryInvariant() {
        long from = Long.getLong("consort.sim.leaveChaosStart", 1);
        long count = Long.getLong("consort.sim.leaveChaosSeeds", 60);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        LongStream.range(from, from + count).parallel().forEach(seed -> {
            String failure = new Simulator(seed, withGracefulStops(seed)).runForFailure();
            if (failure != null) {
                failures.add(failure);
            }
        });
        failures.stream().limit(3).forEach(System.out::println);
        assertThat(failures).isEmpty();
    }

    /** The main simulator's parameters for {@code seed}, with graceful stops added. */
    static Simulator.Params withGracefulStops(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Simulator.Params p = Simulator.Params.random(r, seed);
        p.gracefulStopsPerSecond = 0.5 + new SplittableRandom(seed + 11).nextDouble() * 1.5;
        return p;
    }
}
