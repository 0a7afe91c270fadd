package io.consort.core.sim;

import java.util.List;

/**
 * Runs simulator seeds outside JUnit, for long soaks on a copy of the compiled classes:
 * {@code java -cp ... io.consort.core.sim.SoakMain <firstSeed> <count> [stallsPerSecond]}. The same runs as
 * {@code mvn -pl core test -Dtest=SimulatorTest#soak -Dconsort.sim.start=<firstSeed> -Dconsort.sim.seeds=<count>}.
 */
final class SoakMain {
    private SoakMain() {
    }

    public static void main(String[] args) {
        long from = Long.parseLong(args[0]);
        long count = Long.parseLong(args[1]);
        double stalls = args.length > 2 ? Double.parseDouble(args[2]) : 0;
        long chunk = 1000;
        int failing = 0;
        for (long s = from; s < from + count; s += chunk) {
            List<String> f = SimulatorTest.runSeeds(s, Math.min(chunk, from + count - s), stalls);
            failing += f.size();
        }
        System.out.println("SOAK DONE: seeds " + from + ".." + (from + count - 1) + ", failing chunks' failures: " + failing);
    }
}
