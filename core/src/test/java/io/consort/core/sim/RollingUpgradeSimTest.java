package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.core.WireVersions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rolling upgrades of a daemon network, by seed: daemons held at the previous release's ring wire
 * version (2, as a pinned daemon of this code speaks it, byte for byte what release d560984 sends)
 * are upgraded one at a time under AGREED and SAFE traffic, the network splits and merges while
 * the versions are mixed, and the ring runs at version 3 only once its last version-2 member is
 * gone. Every client's log must keep extended virtual synchrony throughout (nothing lost,
 * nothing twice, one order), as in every other simulation.
 */
class RollingUpgradeSimTest {
    private static final long MS = Simulator.MS;
    private static final int N = 4;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void upgradingOneDaemonAtATimeKeepsEveryGuaranteeAndRaisesTheVersionAfterTheLast(long seed) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = N;
        p.faults = false;
        p.loss = (seed % 3) * 0.01; // some seeds retransmit through the version changes
        Simulator sim = new Simulator(seed, p);
        for (int d = 0; d < N; d++) {
            sim.wireVersions.put(d, WireVersions.upTo(2));
        }
        sim.startAll();
        sim.runUntil(500 * MS);
        long[] sessions = new long[N];
        for (int d = 0; d < N; d++) {
            sessions[d] = joined(sim, d);
        }
        Traffic traffic = new Traffic(sim, sessions);
        traffic.runFor(300 * MS);
        assertRing(sim, List.of(0, 1, 2, 3), 2, "all at the previous version");

        upgrade(sim, traffic, 0, seed % 2 == 0);
        assertRing(sim, List.of(0, 1, 2, 3), 2, "d0 upgraded, three left at 2");
        upgrade(sim, traffic, 1, seed % 2 == 1);
        assertRing(sim, List.of(0, 1, 2, 3), 2, "d0, d1 upgraded");

        // Mixed versions split and merge: the upgraded half runs at 3 on its own, the merged ring at 2.
        sim.partition(new int[] {0, 0, 1, 1});
        traffic.runFor(1500 * MS);
        assertRing(sim, List.of(0, 1), 3, "the upgraded half of a partition");
        assertRing(sim, List.of(2, 3), 2, "the old half of a partition");
        sim.healNetwork();
        traffic.runFor(1500 * MS);
        assertRing(sim, List.of(0, 1, 2, 3), 2, "merged again with two old members");

        upgrade(sim, traffic, 2, false);
        assertRing(sim, List.of(0, 1, 2, 3), 2, "one old member left");
        upgrade(sim, traffic, 3, seed % 3 == 0);
        assertRing(sim, List.of(0, 1, 2, 3), 3, "the last old member upgraded");
        assertThat(sim.notices).as("the log says when the ring's version rose")
                .anyMatch(l -> l.contains("runs at wire version 3 (the last ring ran at 2)"));

        sim.runUntil(sim.now + 1000 * MS); // quiet: everything sent is delivered everywhere it must be
        assertThat(traffic.sent).as("messages sent").isGreaterThan(1000);
        assertThat(InvariantChecker.checkQuiescent(sim.logs, sim.sent)).isEmpty();
        assertThat(InvariantChecker.check(sim.logs, sim.sent)).isEmpty();
    }

    @Test
    void daemonsThatShareNoVersionAreNeverInOneRingAndSayWhy() {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 3;
        p.faults = false;
        Simulator sim = new Simulator(11, p);
        sim.wireVersions.put(0, WireVersions.upTo(2)); // the previous release
        sim.wireVersions.put(1, new WireVersions(3, 3)); // a daemon that dropped version 2
        sim.startAll();                                  // d2 speaks both
        for (long t = 0; t < 3000 * MS; t += 10 * MS) {
            sim.runUntil(t);
            assertThat(sim.engine(0).configurationMembers()).as("d0's ring at %d ms", t / MS).doesNotContain(1);
            assertThat(sim.engine(1).configurationMembers()).as("d1's ring at %d ms", t / MS).doesNotContain(0);
        }
        assertThat(sim.engine(2).configurationMembers()).as("d2 joins one of them").hasSize(2);
        assertThat(sim.notices).anyMatch(l -> l.startsWith("d0: daemon 1 sent ring wire version 3, which this daemon"
                + " (d0, wire versions 2) does not speak: it is not admitted"));
        assertThat(sim.notices).anyMatch(l -> l.startsWith("d1: daemon 0 sent ring wire version 2, which this daemon"
                + " (d1, wire versions 3) does not speak"));
        long says = sim.notices.stream().filter(l -> l.startsWith("d0: daemon 1 sent")).count();
        assertThat(says).as("said once, not per datagram").isEqualTo(1);
    }

    /** A session on {@code daemon} in group "g". */
    private static long joined(Simulator sim, int daemon) {
        long s = sim.connect(daemon);
        assertThat(s).as("a session on d%d", daemon).isPositive();
        sim.runUntil(sim.now + 5 * MS);
        sim.join(s, "g");
        return s;
    }

    /**
     * Stops {@code daemon} (gracefully, or by a crash), restarts it speaking every version, and
     * gives it a new session; the traffic runs all along.
     */
    private static void upgrade(Simulator sim, Traffic traffic, int daemon, boolean crash) {
        if (crash) {
            sim.crash(daemon);
        } else {
            sim.gracefulStop(daemon);
            long until = sim.now + 5000 * MS;
            while (sim.stopping(daemon) && sim.now < until) {
                traffic.runFor(MS);
            }
            assertThat(sim.stopping(daemon)).as("d%d stopped", daemon).isFalse();
        }
        traffic.runFor(300 * MS);
        sim.wireVersions.remove(daemon);
        sim.restart(daemon);
        traffic.runFor(20 * MS);
        traffic.sessions[daemon] = joined(sim, daemon);
        traffic.runFor(1500 * MS);
    }

    private static void assertRing(Simulator sim, List<Integer> members, int version, String when) {
        for (int d : members) {
            assertThat(sim.engine(d).configurationMembers()).as("d%d's ring: %s", d, when)
                    .containsExactlyElementsOf(members);
            assertThat(sim.engine(d).wireVersion()).as("d%d's ring's wire version: %s", d, when).isEqualTo(version);
        }
    }

    /** AGREED and SAFE multicasts from every daemon's session in turn, one a millisecond. */
    private static final class Traffic {
        final Simulator sim;
        final long[] sessions;
        int next;
        int sent;

        Traffic(Simulator sim, long[] sessions) {
            this.sim = sim;
            this.sessions = sessions;
        }

        void runFor(long nanos) {
            long end = sim.now + nanos;
            while (sim.now < end) {
                int i = next++;
                ServiceLevel level = i % 2 == 0 ? ServiceLevel.AGREED : ServiceLevel.SAFE;
                if (sim.multicast(sessions[i % sessions.length], List.of("g"), level, false) >= 0) {
                    sent++;
                }
                sim.runUntil(Math.min(end, sim.now + MS));
            }
        }
    }
}
