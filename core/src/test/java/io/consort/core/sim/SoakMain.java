package io.consort.core.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * Runs simulator seeds outside JUnit, for long soaks on a copy of the compiled classes, over the
 * whole fault model by default:
 *
 * <pre>
 * java -cp core/target/test-classes:core/target/classes:$(cat cp.txt) io.consort.core.sim.SoakMain \
 *     &lt;firstSeed&gt; &lt;count | Nm for N minutes&gt; [whole | plain | stalls=R]
 * </pre>
 *
 * {@code whole} (the default) runs {@link Simulator.Params#wholeFaultModel} (loss, duplication,
 * reordering, partitions, one-way links, crashes, restarts, client churn, stalls, graceful stops,
 * an adversary's replays and forgeries, all at once); {@code plain} the random chaos alone (as
 * {@code SimulatorTest#soak}); {@code stalls=R} the random chaos with R stalls a second. Seeds run
 * in parallel in chunks of 1,000 (of 100 with a time budget, which is checked between chunks).
 * Prints the failing seeds with their replay commands, then one line with the seeds run and
 * failed, and exits 1 if any failed.
 */
final class SoakMain {
    private SoakMain() {
    }

    public static void main(String[] args) {
        long from = Long.parseLong(args[0]);
        boolean timed = args[1].endsWith("m");
        long count = timed ? Long.MAX_VALUE - from : Long.parseLong(args[1]);
        long deadline = timed ? System.nanoTime() + Long.parseLong(args[1].substring(0, args[1].length() - 1))
                * 60_000_000_000L : Long.MAX_VALUE;
        String mode = args.length > 2 ? args[2] : "whole";
        long chunk = timed ? 100 : 1000;
        long start = System.nanoTime();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong ran = new AtomicLong();
        long s = from;
        while (s < from + count && System.nanoTime() < deadline && failures.size() < 10) {
            long end = Math.min(from + count, s + chunk);
            LongStream.range(s, end).parallel().forEach(seed -> {
                String f = run(seed, mode);
                ran.incrementAndGet();
                if (f != null) {
                    failures.add(f);
                }
            });
            s = end;
        }
        failures.forEach(System.out::println);
        System.out.printf("SOAK DONE: mode %s, seeds %d..%d, %d seeds run, %d failing, %.0f s%n", mode, from, s - 1,
                ran.get(), failures.size(), (System.nanoTime() - start) / 1e9);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static String run(long seed, String mode) {
        if (mode.equals("whole")) {
            return WholeFaultModelSimTest.failure(seed);
        }
        double stalls = mode.startsWith("stalls=") ? Double.parseDouble(mode.substring(7)) : 0;
        if (!mode.equals("plain") && stalls == 0) {
            throw new IllegalArgumentException("mode is whole, plain or stalls=R, not " + mode);
        }
        Simulator sim = new Simulator(seed, stalls);
        String f = sim.runForFailure();
        return f == null ? null : f + "\nreplay: " + sim.replayCommand();
    }
}
