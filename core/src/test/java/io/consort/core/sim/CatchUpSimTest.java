package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounded catch-up: a daemon cut off for 10 s while every daemon's clients keep multicasting
 * (10,000 messages a second in all) comes back without stalling the others beyond the bound
 * docs/RING.md gives. The two rings merge as any partition's heal does (EVS: the returning daemon
 * is not sent the other side's 10 s of messages; each side's recovery re-sends only what its own
 * members miss, under the new ring's flow control, and a token carries at most 256 retransmission
 * requests, counted against the global window). What the others' clients send during the merge
 * reaches every talker within the bound, the ring settles into one configuration, and every
 * invariant, quiescence included, holds.
 */
class CatchUpSimTest {
    /** The longest the returning daemon may hold the others' traffic up: see docs/RING.md, "Bounded catch-up". */
    static final long STALL_BOUND_NANOS = 500 * Simulator.MS;

    @Test
    void aDaemonBackFromALongPartitionUnderLoadRejoinsWithinTheBound() {
        for (long seed = 1; seed <= Long.getLong("consort.sim.catchUpSeeds", 2); seed++) {
            ManyGroupsRun run = new ManyGroupsRun(seed, 5, 2, 10, true, (seed - 1) * 0.01);
            run.burst = 4;
            run.setUp();
            int[] side = {0, 0, 0, 0, 1};
            ManyGroupsRun.Reform cut = run.reform("partition d4 away", () -> run.sim.partition(side),
                    List.of(List.of(0, 1, 2, 3), List.of(4)));
            run.runFor(10_000 * Simulator.MS);
            ManyGroupsRun.Reform back = run.reform("heal after 10 s apart", run.sim::healNetwork,
                    List.of(List.of(0, 1, 2, 3, 4)));
            System.out.println("seed " + seed + ": " + cut + "\nseed " + seed + ": " + back);
            run.finish();
            String what = "seed " + seed + ": " + back;
            assertThat(cut.problems()).as(what).isEmpty();
            assertThat(back.problems()).as(what).isEmpty();
            assertThat(back.networkViewsPerTalker()).as(what).isEqualTo(1);
            assertThat(back.sentDuring()).as(what).isPositive();
            assertThat(back.deliveryMaxNanos()).as(what).isLessThan(STALL_BOUND_NANOS);
            assertThat(run.violations()).as(what).isEmpty();
            assertThat(run.quiescenceViolations()).as(what).isEmpty();
        }
    }
}
