package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Every fault of the simulator in the same runs ({@link Simulator.Params#wholeFaultModel}): loss,
 * duplication, reordering, partitions, one-way links, crashes and restarts, client churn, daemon
 * stalls, graceful stops and an adversary's replays and forgeries. The other seeded tests each add
 * one of the last three to the random chaos; here they overlap. SPEC's invariants and liveness
 * after healing must hold. {@code -Dconsort.sim.wholeSeeds=N -Dconsort.sim.wholeStart=S} for more;
 * {@link SoakMain} for long runs.
 */
class WholeFaultModelSimTest {
    static final String REPLAY = "mvn -q -B -pl core test -Dtest=WholeFaultModelSimTest -Dconsort.sim.wholeStart=";

    /** What went wrong in the whole-fault-model run of {@code seed}, with its replay command; null if nothing. */
    static String failure(long seed) {
        String f = new Simulator(seed, Simulator.Params.wholeFaultModel(seed)).runForFailure();
        return f == null ? null : f + "\nreplay: " + REPLAY + seed + " -Dconsort.sim.wholeSeeds=1";
    }

    @Test
    void everyFaultAtOnceKeepsEveryInvariant() {
        long from = Long.getLong("consort.sim.wholeStart", 1);
        long count = Long.getLong("consort.sim.wholeSeeds", 60);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        LongStream.range(from, from + count).parallel().forEach(seed -> {
            String f = failure(seed);
            if (f != null) {
                failures.add(f);
            }
        });
        failures.stream().limit(3).forEach(System.out::println);
        assertThat(failures).isEmpty();
    }
}
