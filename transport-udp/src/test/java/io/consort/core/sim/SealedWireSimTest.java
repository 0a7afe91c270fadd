package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.transport.udp.ClusterKeys;
import io.consort.transport.udp.PacketSealer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulator's adversary (replays however old, random forgeries, and bit flips) over the
 * daemon transport's seal: each simulated daemon seals what it sends and opens what it receives
 * with its own {@link PacketSealer}, as consortd does. Every invariant holds, and every flipped
 * or forged packet is dropped at the seal, never reaching an engine.
 */
class SealedWireSimTest {
    /** The transport's seal on the simulator's wire: header, seal, open, and the sender check. */
    static final class SealedWire implements Simulator.Wire {
        private final ClusterKeys keys;
        private final Map<Integer, PacketSealer> sealers = new HashMap<>();

        SealedWire(long seed) {
            byte[] k = new byte[ClusterKeys.KEY_BYTES];
            new SplittableRandom(seed).nextBytes(k);
            this.keys = ClusterKeys.of(1, k);
        }

        private PacketSealer sealer(int daemon) {
            // The simulation has no clock: counters start at 1 (a restarted daemon keeps counting on).
            return sealers.computeIfAbsent(daemon, d -> PacketSealer.withFirstCounter(d, keys, 1));
        }

        @Override
        public byte[] seal(int from, byte[] datagram) {
            byte[] plain = new byte[5 + datagram.length];
            plain[0] = 0x43;
            plain[1] = 0x44;
            plain[2] = 1;
            plain[3] = (byte) (from >> 8);
            plain[4] = (byte) from;
            System.arraycopy(datagram, 0, plain, 5, datagram.length);
            return sealer(from).seal(plain);
        }

        @Override
        public byte[] open(int to, int from, byte[] packet) {
            byte[] plain = sealer(to).open(packet);
            if (plain == null || (((plain[3] & 0xff) << 8) | (plain[4] & 0xff)) != from) {
                return null; // dropped at the seal, or sealed by another daemon than the one it claims
            }
            return java.util.Arrays.copyOfRange(plain, 5, plain.length);
        }

        long dropped() {
            return sealers.values().stream().mapToLong(PacketSealer::droppedTotal).sum();
        }

        @Override
        public String toString() {
            return "sealed";
        }
    }

    @Test
    void replaysForgeriesAndFlippedBitsOverTheSealKeepEveryInvariant() {
        long seeds = Long.getLong("consort.sim.adversarySeeds", 30);
        List<String> failures = new ArrayList<>();
        long injected = 0;
        long flips = 0;
        long dropped = 0;
        for (long seed = 1; seed <= seeds && failures.size() < 3; seed++) {
            SealedWire wire = new SealedWire(seed);
            Simulator sim = Simulator.adjusted(seed, p -> p.withAdversary(200, true, wire));
            String failure = sim.runForFailure();
            if (failure != null) {
                failures.add(failure);
                continue;
            }
            injected += sim.injectedReplays + sim.injectedForgeries + sim.injectedFlips;
            flips += sim.injectedFlips;
            dropped += wire.dropped();
        }
        System.out.printf("SealedWireSimTest: %d seeds, %d packets injected (%d flipped), %d dropped at the seal%n",
                seeds, injected, flips, dropped);
        assertThat(failures).isEmpty();
        assertThat(flips).isGreaterThan(seeds * 50);
        // Forgeries addressed to the daemon they claim to come from count as dropped too; replays of
        // what a daemon never received are the only injections that may open (as late duplicates).
        assertThat(dropped).isGreaterThan(injected / 2);
    }
}
