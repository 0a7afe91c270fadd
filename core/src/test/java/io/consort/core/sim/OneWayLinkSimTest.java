package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A link that works one way only: one daemon no longer hears another, which still hears it. The
 * two cannot be in one ring, and the ring must settle without one of them instead of re-forming
 * several times a second for as long as the cut lasts (each re-forming is a transitional signal
 * and a view at every client). When the link works again, they merge.
 */
class OneWayLinkSimTest {
    private static final long MS = Simulator.MS;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aOneWayCutSettlesWithoutOneOfTheTwoAndMergesWhenHealed(long seed) {
        int n = 5;
        Simulator.Params p = new Simulator.Params();
        p.daemons = n;
        p.faults = false;
        Simulator sim = new Simulator(seed, p);
        sim.startAll();
        sim.runUntil(500 * MS);
        long[] s = new long[n];
        for (int d = 0; d < n; d++) {
            s[d] = sim.connect(d);
            sim.join(s[d], "g");
        }
        sim.runUntil(700 * MS);
        int deaf = (int) (seed % n);
        // On even seeds the cut is on the token's path (the deaf daemon's predecessor sends it the
        // token); off the path the ring may well survive, the lost multicasts being retransmitted.
        int unheard = seed % 2 == 0 ? (deaf + n - 1) % n : (deaf + 2) % n;
        sim.block(unheard, deaf, true); // deaf no longer hears unheard
        List<String> changes = new ArrayList<>();
        long[] atCut = sim.configurationIds();
        long[] last = atCut;
        long lastChangeAt = sim.now;
        int i = 0;
        long cutEnd = sim.now + 6000 * MS;
        for (long t = sim.now; t < cutEnd; ) {
            sim.multicast(s[i++ % n], List.of("g"), ServiceLevel.AGREED, false);
            t += MS;
            sim.runUntil(t);
            long[] now = sim.configurationIds();
            for (int d = 0; d < n; d++) {
                if (now[d] != last[d]) {
                    changes.add(String.format("%.0fms d%d %s", sim.now / 1e6, d, sim.engine(d).configurationMembers()));
                    lastChangeAt = sim.now;
                }
                assertThat(now[d] != atCut[d] && sim.engine(d).configurationMembers().containsAll(List.of(deaf, unheard)))
                        .as("d%d's configuration since the cut %s holds both ends of the cut d%d->d%d", d,
                                sim.engine(d).configurationMembers(), unheard, deaf)
                        .isFalse();
            }
            last = now;
        }
        assertThat(sim.now - lastChangeAt).as("settled: no configuration change in the last 4 s of the cut d%d->d%d;"
                + " changes: %s", unheard, deaf, changes).isGreaterThanOrEqualTo(4000 * MS);
        assertThat(changes.size()).as("configuration changes during the cut: %s", changes).isLessThanOrEqualTo(4 * n);

        sim.healNetwork();
        sim.runUntil(sim.now + 3000 * MS);
        for (int d = 0; d < n; d++) {
            assertThat(sim.engine(d).configurationMembers()).as("d%d after the heal", d).hasSize(n);
        }
        assertThat(InvariantChecker.checkQuiescent(sim.logs, sim.sent)).isEmpty();
        assertThat(InvariantChecker.check(sim.logs, sim.sent)).isEmpty();
    }

}
