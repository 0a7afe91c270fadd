package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random runs with an adversary on the network that replays packets it saw (however old) and
 * injects random forgeries claiming to come from any daemon, over the plain wire: the engine
 * alone must survive both, keeping every invariant. (Flipped bits are not in this test: without
 * a seal nothing can tell a flipped payload from a sent one; transport-udp's SealedWireSimTest runs
 * the same adversary, flips included, over the daemon transport's seal.)
 */
class AdversarySimTest {
    @Test
    void replaysAndForgeriesKeepEveryInvariant() {
        long seeds = Long.getLong("consort.sim.adversarySeeds", 60);
        List<String> failures = new ArrayList<>();
        long replays = 0;
        long forgeries = 0;
        for (long seed = 1; seed <= seeds && failures.size() < 3; seed++) {
            Simulator sim = Simulator.adjusted(seed, p -> p.withAdversary(200, false, Simulator.Wire.PLAIN));
            String failure = sim.runForFailure();
            if (failure != null) {
                failures.add(failure);
                continue;
            }
            replays += sim.injectedReplays;
            forgeries += sim.injectedForgeries;
        }
        System.out.printf("AdversarySimTest: %d seeds, %d replays, %d forgeries injected%n", seeds, replays, forgeries);
        assertThat(failures).isEmpty();
        assertThat(replays).isGreaterThan(seeds * 100);
        assertThat(forgeries).isGreaterThan(seeds * 100);
    }
}
