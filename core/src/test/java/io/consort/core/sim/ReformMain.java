package io.consort.core.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Measures, in the simulator's virtual time with the default timeouts, how long a ring holding
 * many groups takes to re-form after each fault ({@link ManyGroupsRun}): a crash, a restarted
 * daemon merging back, a graceful leave, a partition and its heal.
 *
 * <pre>
 * java -Xmx8g -cp core/target/test-classes:core/target/classes:$(cat cp.txt) io.consort.core.sim.ReformMain \
 *     &lt;daemons&gt; &lt;sessionsPerDaemon&gt; &lt;groups&gt; [membersPerGroup (default: every daemon)] [seed]
 * </pre>
 * Only the talkers' events are recorded (a million groups' views would not fit in memory); every
 * group's members are checked in every engine after each re-form. Prints one line per re-form and
 * exits 1 if any re-form went wrong.
 */
final class ReformMain {
    private ReformMain() {
    }

    public static void main(String[] args) {
        int daemons = Integer.parseInt(args[0]);
        int sessions = Integer.parseInt(args[1]);
        int groups = Integer.parseInt(args[2]);
        int membersPerGroup = args.length > 3 ? Integer.parseInt(args[3]) : daemons;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        long wall = System.nanoTime();
        ManyGroupsRun run = new ManyGroupsRun(seed, daemons, sessions, groups, false);
        run.membersPerGroup = membersPerGroup;
        run.setUp();
        System.out.printf("%d daemons, %d sessions each, %d groups (a member at %d daemons each), seed %d: set up in"
                + " %.1f s of wall time%n", daemons, sessions, groups, membersPerGroup, seed,
                (System.nanoTime() - wall) / 1e9);
        List<ManyGroupsRun.Reform> all = scenario(run);
        boolean ok = true;
        for (ManyGroupsRun.Reform r : all) {
            ok &= r.problems().isEmpty();
        }
        System.out.printf("wall time %.1f s%n", (System.nanoTime() - wall) / 1e9);
        System.exit(ok ? 0 : 1);
    }

    /**
     * The faults, in order, over daemons 0 to n-1 (at least 3): crash the last, restart it, stop
     * the one before gracefully, cut daemon 0 off from the rest, heal. Prints each re-form as it ends.
     */
    static List<ManyGroupsRun.Reform> scenario(ManyGroupsRun run) {
        int n = run.daemons;
        List<Integer> all = range(0, n);
        List<Integer> withoutLast = range(0, n - 1);
        List<Integer> afterStop = new ArrayList<>(all);
        afterStop.remove(Integer.valueOf(n - 2));
        List<Integer> others = new ArrayList<>(afterStop);
        others.remove(Integer.valueOf(0));
        List<ManyGroupsRun.Reform> out = new ArrayList<>();
        out.add(print(run.reform("crash d" + (n - 1), () -> run.crash(n - 1), List.of(withoutLast))));
        out.add(print(run.reform("restart d" + (n - 1) + " (merge)", () -> run.restart(n - 1), List.of(all))));
        out.add(print(run.reform("graceful stop d" + (n - 2), () -> run.gracefulStop(n - 2), List.of(afterStop))));
        out.add(print(run.reform("partition d0 | the rest", () -> run.sim.partition(aloneFirst(n)),
                List.of(List.of(0), others))));
        out.add(print(run.reform("heal", run.sim::healNetwork, List.of(afterStop))));
        return out;
    }

    private static ManyGroupsRun.Reform print(ManyGroupsRun.Reform r) {
        System.out.println(r);
        return r;
    }

    /** Daemon 0 on one side, every other on the other. */
    private static int[] aloneFirst(int n) {
        int[] side = new int[n];
        side[0] = 1;
        return side;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }
}
