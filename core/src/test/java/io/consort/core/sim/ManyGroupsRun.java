package io.consort.core.sim;

import io.consort.core.Engine;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A daemon network holding many groups, taken through re-forms in the simulator with the default
 * timeouts: every daemon has {@code sessionsPerDaemon} member sessions, and group {@code g<i>} has
 * one member (session {@code i % sessionsPerDaemon} there) at {@link #membersPerGroup} daemons,
 * every daemon by default. Beside them each daemon
 * has a talker session in group {@value #TRAFFIC}, multicasting AGREED every 2 ms all along, so a
 * re-form is measured under traffic. Each {@link #reform} applies a fault and steps the virtual
 * clock a millisecond at a time until every running daemon is in its expected configuration with
 * its group views out, then checks every group's members at every daemon.
 *
 * <pre>{@code
 * ManyGroupsRun run = new ManyGroupsRun(1, 4, 10, 10_000, true, 0.01);
 * run.setUp();
 * ManyGroupsRun.Reform r = run.reform("crash d3", () -> run.crash(3), List.of(List.of(0, 1, 2)));
 * }</pre>
 */
final class ManyGroupsRun {
    static final long MS = Simulator.MS;
    static final String TRAFFIC = "traffic";
    /** The longest a re-form may take before the run gives up on it. */
    static final long REFORM_LIMIT_NANOS = 60_000 * MS;

    /**
     * One re-form: how long from the fault until every daemon had its views, how many of the
     * talkers' multicasts were sent meanwhile, the longest any of them took from send to its last
     * delivery at a talker, and how many configurations the talkers saw (one per side: no cascade).
     */
    record Reform(String fault, long nanos, int sentDuring, long deliveryMaxNanos, int networkViewsPerTalker,
            long wallNanos, List<String> problems) {
        @Override
        public String toString() {
            return String.format("%-28s re-formed in %8.1f ms, %4d multicasts sent meanwhile, slowest delivered after"
                    + " %7.1f ms, %d NETWORK view(s) per talker (simulated in %.1f s of wall time, all daemons)%s",
                    fault, nanos / 1e6, sentDuring, deliveryMaxNanos / 1e6, networkViewsPerTalker, wallNanos / 1e9,
                    problems.isEmpty() ? "" : " PROBLEMS " + problems);
        }
    }

    final Simulator sim;
    final int daemons;
    final int sessionsPerDaemon;
    final int groups;
    /** Group {@code g<i>} has a member at daemons {@code i}, {@code i + 1}, ... (mod daemons): this many. */
    int membersPerGroup;
    /** Each talker multicasts this many messages every 2 ms. */
    int burst = 1;
    /** [daemon][k]: member sessions; -1 once gone. */
    private final long[][] members;
    /** [daemon]: the talker session, -1 while its daemon is down. */
    private final long[] talkers;
    private final Set<Long> talkerIds = new HashSet<>();
    private final boolean[] up;
    private final Map<Long, Long> sentAt = new HashMap<>();
    /** Message id -> when a talker last got it; -1 while some talker it must reach has not. */
    private final Map<Long, Long> deliveredAt = new HashMap<>();
    private final Map<Long, Integer> scanned = new HashMap<>();
    private boolean talking;
    /** Each checked session's last view of each group, worked out once per check. */
    private final Map<SessionLog, Map<String, ViewEvent>> lastViews = new java.util.IdentityHashMap<>();

    /**
     * A run of {@code daemons} daemons; with {@code logAll} every session's events are recorded (and
     * {@link #violations} checks SPEC's invariants over them), otherwise only the talkers'.
     */
    ManyGroupsRun(long seed, int daemons, int sessionsPerDaemon, int groups, boolean logAll) {
        this(seed, daemons, sessionsPerDaemon, groups, logAll, 0);
    }

    /** The same, with {@code loss} of the datagrams lost. */
    ManyGroupsRun(long seed, int daemons, int sessionsPerDaemon, int groups, boolean logAll, double loss) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = daemons;
        p.faults = false;
        p.loss = loss;
        p.maxDelayNanos = 300_000;
        this.sim = new Simulator(seed, p);
        this.daemons = daemons;
        this.sessionsPerDaemon = sessionsPerDaemon;
        this.groups = groups;
        this.membersPerGroup = daemons;
        this.members = new long[daemons][sessionsPerDaemon];
        this.talkers = new long[daemons];
        this.up = new boolean[daemons];
        if (!logAll) {
            sim.logged = talkerIds::contains;
        }
    }

    /** Starts the daemons, connects the sessions, joins every group and waits until all of it is settled. */
    void setUp() {
        sim.startAll();
        java.util.Arrays.fill(up, true);
        sim.runUntil(500 * MS);
        for (int d = 0; d < daemons; d++) {
            connectTalker(d);
            for (int k = 0; k < sessionsPerDaemon; k++) {
                members[d][k] = sim.connect(d);
            }
        }
        for (int i = 0; i < groups; i++) {
            for (int d = 0; d < daemons; d++) {
                if (hasMember(i, d)) {
                    sim.join(members[d][i % sessionsPerDaemon], "g" + i);
                }
            }
        }
        List<Integer> all = new ArrayList<>();
        for (int d = 0; d < daemons; d++) {
            all.add(d);
        }
        long deadline = sim.now + REFORM_LIMIT_NANOS * 10;
        while (!joined(all) && sim.now < deadline) {
            sim.runUntil(sim.now + 10 * MS);
        }
        if (!joined(all)) {
            throw new IllegalStateException("the groups never settled: " + describe());
        }
        talking = true;
        scheduleTalk(sim.now);
    }

    private boolean hasMember(int group, int daemon) {
        return Math.floorMod(daemon - group, daemons) < membersPerGroup;
    }

    private void connectTalker(int d) {
        long t = sim.connect(d);
        talkers[d] = t;
        talkerIds.add(t);
        sim.join(t, TRAFFIC);
    }

    private void scheduleTalk(long at) {
        sim.at(at, () -> {
            if (!talking) {
                return;
            }
            for (int d = 0; d < daemons; d++) {
                for (int k = 0; k < burst && up[d] && talkers[d] >= 0; k++) {
                    long id = sim.multicast(talkers[d], List.of(TRAFFIC), ServiceLevel.AGREED, false);
                    if (id >= 0) {
                        sentAt.put(id, sim.now);
                    }
                }
            }
            scheduleTalk(sim.now + 2 * MS);
        });
    }

    /** Stops the talkers' traffic and lets what they sent arrive, so that every log is complete. */
    void finish() {
        talking = false;
        sim.runUntil(sim.now + 1_000 * MS);
    }

    void crash(int d) {
        sim.crash(d);
        goneAt(d);
    }

    void gracefulStop(int d) {
        sim.gracefulStop(d);
        goneAt(d);
    }

    private void goneAt(int d) {
        up[d] = false;
        talkers[d] = -1;
        java.util.Arrays.fill(members[d], -1);
    }

    /** Restarts {@code d} (with no member sessions: its members were lost with it) and connects its talker. */
    void restart(int d) {
        sim.restart(d);
        up[d] = true;
        sim.runUntil(sim.now + 1);
        connectTalker(d);
    }

    /**
     * Applies {@code fault} and runs until every running daemon is in the configuration of its side
     * ({@code sides}: the daemons of each expected configuration, in ring order) with its group views
     * out, or {@link #REFORM_LIMIT_NANOS} passed; then checks every group's members at every daemon.
     */
    Reform reform(String name, Runnable fault, List<List<Integer>> sides) {
        long start = sim.now;
        long wallStart = System.nanoTime();
        Map<Long, Integer> viewsBefore = networkViewsOfTalkers();
        fault.run();
        while (!settled(sides) && sim.now - start < REFORM_LIMIT_NANOS) {
            sim.runUntil(sim.now + MS);
            scanDeliveries();
        }
        long took = sim.now - start;
        long wall = System.nanoTime() - wallStart;
        List<String> problems = new ArrayList<>();
        if (!settled(sides)) {
            problems.add("not re-formed after " + REFORM_LIMIT_NANOS / MS + " ms: " + describe());
        } else {
            problems.addAll(checkGroups(sides));
        }
        long end = sim.now;
        int sentDuring = 0;
        for (Map.Entry<Long, Long> e : sentAt.entrySet()) {
            if (e.getValue() >= start && e.getValue() <= end) {
                sentDuring++;
            }
        }
        // Let what was sent during the re-form arrive, then see how long it took.
        long quiet = sim.now + 200 * MS;
        while (sim.now < quiet) {
            sim.runUntil(sim.now + MS);
            scanDeliveries();
        }
        long slowest = 0;
        for (Map.Entry<Long, Long> e : sentAt.entrySet()) {
            long sent = e.getValue();
            if (sent < start || sent > end) {
                continue;
            }
            Long got = deliveredAt.get(e.getKey());
            if (got == null) {
                problems.add("multicast " + e.getKey() + " sent at " + (sent - start) / MS
                        + " ms into the re-form never reached a talker");
                break;
            }
            slowest = Math.max(slowest, got - sent);
        }
        Map<Long, Integer> viewsAfter = networkViewsOfTalkers();
        int perTalker = -1;
        for (Map.Entry<Long, Integer> e : viewsAfter.entrySet()) {
            if (!viewsBefore.containsKey(e.getKey())) {
                continue; // a talker of a daemon that came back: it joins after the re-form
            }
            int n = e.getValue() - viewsBefore.getOrDefault(e.getKey(), 0);
            if (perTalker >= 0 && n != perTalker) {
                problems.add("talkers saw different numbers of NETWORK views: " + n + " and " + perTalker);
            }
            perTalker = Math.max(perTalker, n);
        }
        return new Reform(name, took, sentDuring, slowest, perTalker, wall, problems);
    }

    private Map<Long, Integer> networkViewsOfTalkers() {
        Map<Long, Integer> n = new HashMap<>();
        for (long t : talkers) {
            if (t < 0) {
                continue;
            }
            int count = 0;
            for (SessionLog.Entry e : sim.log(t).entries) {
                if (e instanceof SessionLog.View v && v.view().cause() == ViewCause.NETWORK) {
                    count++;
                }
            }
            n.put(t, count);
        }
        return n;
    }

    /** Notes, at a millisecond's resolution, when each talker got each multicast. */
    private void scanDeliveries() {
        for (long t : talkers) {
            if (t < 0) {
                continue;
            }
            List<SessionLog.Entry> entries = sim.log(t).entries;
            int from = scanned.getOrDefault(t, 0);
            for (int i = from; i < entries.size(); i++) {
                if (entries.get(i) instanceof SessionLog.Delivered d) {
                    deliveredAt.merge(d.msgId(), sim.now, Math::max);
                }
            }
            scanned.put(t, entries.size());
        }
    }

    /** One configuration of {@code all}, every join applied everywhere, nothing left in the ring. */
    private boolean joined(List<Integer> all) {
        if (!settled(List.of(all))) {
            return false;
        }
        for (int d : all) {
            Engine e = sim.engine(d);
            if (e.groupCount() != groups + 1 || e.ringHeldMessages() > 0
                    || e.members(TRAFFIC).size() != daemons) {
                return false;
            }
        }
        return true;
    }

    /** Every running daemon in its side's configuration, in ring order, with its group views out and nothing held. */
    private boolean settled(List<List<Integer>> sides) {
        for (List<Integer> side : sides) {
            Long conf = null;
            for (int d : side) {
                Engine e = sim.engine(d);
                if (e == null || sim.stopping(d) || !e.configurationMembers().equals(side) || !e.groupsStable()
                        || (conf != null && conf != e.configurationId())) {
                    return false;
                }
                conf = e.configurationId();
            }
        }
        return true;
    }

    /** Every group at every daemon: exactly the member of each daemon of its side, in ring order. */
    private List<String> checkGroups(List<List<Integer>> sides) {
        lastViews.clear();
        List<String> problems = new ArrayList<>();
        for (List<Integer> side : sides) {
            int expectedGroups = 1;
            for (int i = 0; i < groups; i++) {
                for (int d : side) {
                    if (hasMember(i, d) && members[d][0] >= 0) {
                        expectedGroups++;
                        break;
                    }
                }
            }
            for (int d : side) {
                Engine e = sim.engine(d);
                if (e.groupCount() != expectedGroups) {
                    problems.add("d" + d + " holds " + e.groupCount() + " groups, not " + expectedGroups);
                }
            }
            for (int i = 0; i < groups && problems.size() < 5; i++) {
                List<String> expected = new ArrayList<>();
                for (int d : side) {
                    long s = members[d][i % sessionsPerDaemon];
                    if (s >= 0 && hasMember(i, d)) {
                        expected.add(sim.log(s).name);
                    }
                }
                for (int d : side) {
                    List<String> got = sim.engine(d).members("g" + i);
                    if (!got.equals(expected)) {
                        problems.add("d" + d + " has g" + i + " = " + got + ", not " + expected);
                    }
                }
                for (int d : side) {
                    long s = members[d][i % sessionsPerDaemon];
                    if (s >= 0 && hasMember(i, d) && sim.logged.test(s)) {
                        ViewEvent last = lastView(sim.log(s), "g" + i);
                        if (last == null || !last.members().equals(expected)) {
                            problems.add(sim.log(s).name + "'s last view of g" + i + " is "
                                    + (last == null ? "none" : last.members()) + ", not " + expected);
                        }
                    }
                }
            }
        }
        return problems;
    }

    private ViewEvent lastView(SessionLog log, String group) {
        Map<String, ViewEvent> last = lastViews.computeIfAbsent(log, l -> {
            Map<String, ViewEvent> m = new HashMap<>();
            for (SessionLog.Entry e : l.entries) {
                if (e instanceof SessionLog.View v) {
                    m.put(v.view().group(), v.view());
                }
            }
            return m;
        });
        return last.get(group);
    }

    /** Runs {@code nanos} of virtual time, traffic going on. */
    void runFor(long nanos) {
        long until = sim.now + nanos;
        while (sim.now < until) {
            sim.runUntil(Math.min(until, sim.now + 10 * MS));
            scanDeliveries();
        }
    }

    /** After {@link #finish}: live sessions whose last view is the same delivered the same messages since it. */
    List<InvariantChecker.Violation> quiescenceViolations() {
        return InvariantChecker.checkQuiescent(sim.logs, sim.sent);
    }

    /** SPEC's invariants 1 to 8 over every recorded log. */
    List<InvariantChecker.Violation> violations() {
        return InvariantChecker.check(sim.logs, sim.sent);
    }

    private String describe() {
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < daemons; d++) {
            Engine e = sim.engine(d);
            b.append("\n  ").append(e == null ? "d" + d + " down" : e.ringDescription() + " groups " + e.groupCount());
        }
        return b.toString();
    }
}
