package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ring holding ten thousand groups (a member of each at every daemon) through a crash, a
 * restarted daemon merging back, a graceful leave, a partition and its heal, at the default
 * timeouts and under traffic: each re-form completes with the right members of every group at
 * every daemon and in every member's last view, the talkers see one NETWORK view per change (no
 * cascade), what they multicast meanwhile reaches every talker right after the views, and SPEC's
 * invariants hold over every session's log. The group state exchange travels in datagram-sized
 * parts; sent as one item (as it was), ten thousand groups make a datagram of ~450 KB, which no
 * network carries, and the ring never re-forms.
 */
class ManyGroupsSimTest {
    @Test
    void tenThousandGroupsReformAfterEveryKindOfFault() {
        for (long seed = 1; seed <= Long.getLong("consort.sim.manyGroupsSeeds", 1); seed++) {
            ManyGroupsRun run = new ManyGroupsRun(seed, 4, 20, 10_000, true, 0.01);
            run.setUp();
            List<ManyGroupsRun.Reform> reforms = ReformMain.scenario(run);
            run.finish();
            for (ManyGroupsRun.Reform r : reforms) {
                String what = "seed " + seed + ": " + r;
                assertThat(r.problems()).as(what).isEmpty();
                assertThat(r.networkViewsPerTalker()).as(what).isEqualTo(1);
                // Failure detection takes ~605 ms by the default timeouts; the exchange adds little.
                assertThat(r.nanos()).as(what).isLessThan(1_000 * Simulator.MS);
                assertThat(r.sentDuring()).as(what).isPositive();
                assertThat(r.deliveryMaxNanos()).as(what).isLessThan(r.nanos() + 100 * Simulator.MS);
            }
            assertThat(run.sim.largestDatagram).as("seed " + seed).isLessThanOrEqualTo(
                    EngineConfig.DEFAULT_MAX_DATAGRAM_BYTES);
            assertThat(run.violations()).as("seed " + seed).isEmpty();
        }
    }
}
