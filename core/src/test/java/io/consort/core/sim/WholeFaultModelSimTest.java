package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * Seeds the whole-fault-model soak caught. 10000011: a replayed token sent to a member it was
     * not passed to was taken there (its stamp was newer than the last that member saw), two members
     * gave out the same seqs, and a CAUSAL message was lost inside one view (a FIFO gap at every
     * receiver); a token is now taken only from the predecessor.
     */
    @ParameterizedTest
    @ValueSource(longs = {10000011})
    void caughtSeedHolds(long seed) {
        assertThat(failure(seed)).isNull();
    }
}
