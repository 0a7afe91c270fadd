package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.core.ring.FragmentingRing;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Messages larger than a datagram travel as fragments, each its own ring message: they arrive
 * whole and in order at every receiver, under loss, crashes and partitions, and other daemons'
 * traffic goes on during a large transfer.
 */
class FragmentationSimTest {
    private static long delivered(Simulator sim, long session, long msgId) {
        return sim.log(session).entries.stream()
                .filter(e -> e instanceof SessionLog.Delivered d && d.msgId() == msgId).count();
    }

    private static int payloadLength(Simulator sim, long session, long msgId) {
        return sim.log(session).entries.stream()
                .filter(e -> e instanceof SessionLog.Delivered d && d.msgId() == msgId)
                .mapToInt(e -> ((SessionLog.Delivered) e).event().payload().length).findFirst().orElse(-1);
    }

    @Test
    void aSixteenMebibyteMessageArrivesWholeUnderLossWhileOthersTrafficGoesOn() {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 3;
        p.faults = false;
        p.loss = 0.05;
        p.maxMessageBytes = 17 << 20;
        p.maxDatagramBytes = 8192;
        Simulator sim = new Simulator(7, p);
        sim.startAll();
        sim.runUntil(500 * Simulator.MS);
        long big = sim.connect(0);
        long small = sim.connect(1);
        long rx = sim.connect(2);
        for (long s : new long[] {big, small, rx}) {
            sim.join(s, "g0");
        }
        sim.runUntil(700 * Simulator.MS);
        long bigId = sim.multicast(big, List.of("g0"), ServiceLevel.AGREED, false, 16 << 20);
        assertThat(bigId).isPositive();
        List<Long> smallIds = new ArrayList<>();
        long t = 700 * Simulator.MS;
        long bigDoneAt = -1;
        long smallDoneBeforeBig = 0;
        for (int step = 0; step < 20_000 && bigDoneAt < 0; step++) {
            if (step % 10 == 0 && smallIds.size() < 20) {
                long id = sim.multicast(small, List.of("g0"), ServiceLevel.AGREED, false);
                if (id > 0) {
                    smallIds.add(id);
                }
            }
            t += Simulator.MS;
            sim.runUntil(t);
            if (delivered(sim, rx, bigId) > 0) {
                bigDoneAt = t;
            }
        }
        for (long id : smallIds) {
            if (delivered(sim, rx, id) > 0) {
                smallDoneBeforeBig++;
            }
        }
        assertThat(bigDoneAt).as("the 16 MiB message arrived").isPositive();
        sim.runUntil(t + 500 * Simulator.MS);
        for (long s : new long[] {big, small, rx}) {
            assertThat(delivered(sim, s, bigId)).isEqualTo(1);
            assertThat(payloadLength(sim, s, bigId)).isEqualTo(16 << 20);
        }
        System.out.printf("16 MiB over 3 daemons, 5%% loss, 8 KiB datagrams: %d ms virtual; %d of %d small messages "
                + "of another daemon delivered during the transfer%n", (bigDoneAt - 700 * Simulator.MS) / Simulator.MS,
                smallDoneBeforeBig, smallIds.size());
        assertThat(smallDoneBeforeBig).as("others' traffic is not stalled by the large transfer").isPositive();
        assertThat(InvariantChecker.check(sim.logs, sim.sent)).isEmpty();
    }

    static Simulator.Params faulty(long seed, int maxDatagramBytes) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 2 + (int) (seed % 4);
        p.loss = seed % 3 == 0 ? 0 : 0.03;
        p.duplication = seed % 2 == 0 ? 0.01 : 0;
        p.faultsPerSecond = 2;
        p.maxDatagramBytes = maxDatagramBytes;
        p.payloadExtraBytes = 3000; // with 512-byte datagrams most messages need 2 to 10 fragments
        p.clientActionsPerSecond = 150;
        return p;
    }

    /**
     * Random faulty runs with most messages fragmented: every seed must pass, strictly. Seeds 11
     * and 39 once failed here (daemons stuck in GATHER after healing, each failing all the others);
     * the cause was the ring's, not the fragments': fail sets fed back between daemons with no
     * round to expire them, fixed by gather rounds (docs/RING.md). They stay in this range, and
     * {@link RegressionSeedsTest#fragmentedSeedHolds} runs them on their own.
     */
    @Test
    void fragmentedTrafficKeepsEveryInvariantUnderFaults() {
        int seeds = Integer.getInteger("consort.sim.fragSeeds", 40);
        long first = Long.getLong("consort.sim.fragFirst", 1);
        List<String> failures = new ArrayList<>();
        int datagram = Integer.getInteger("consort.sim.fragDatagram", 512);
        for (long seed = first; seed < first + seeds; seed++) {
            Simulator sim = new Simulator(seed, faulty(seed, datagram));
            List<InvariantChecker.Violation> found = sim.run();
            if (!found.isEmpty()) {
                failures.add(sim.report(found));
            }
        }
        System.out.printf("fragmentation sim: %d seeds, %d failing%n", seeds, failures.size());
        assertThat(failures).isEmpty();
    }

    /** One faulty fragmented seed, and the same seed with datagrams large enough for every message. */
    static List<String> runFragmented(long seed) {
        List<String> out = new ArrayList<>();
        for (int datagram : new int[] {Integer.getInteger("consort.sim.fragDatagram", 512), 65_507}) {
            Simulator sim = new Simulator(seed, faulty(seed, datagram));
            List<InvariantChecker.Violation> found = sim.run();
            if (!found.isEmpty()) {
                out.add("datagram " + datagram + ": " + sim.report(found));
            }
        }
        return out;
    }
}
