package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Under light traffic the token goes round at most once per minimum rotation: a message every 100 µs
 * must not keep the token spinning as fast as the network carries it (each rotation costs every daemon a
 * datagram in and out, whatever it carries). Flat out (a visit's worth queued) the ring is not paced, and
 * paced or not, everything is delivered everywhere in one order.
 */
class RotationPacingSimTest {
    private static final long US = 1_000L;
    private static final long LOAD_NANOS = 300 * Simulator.MS;

    /** Token datagrams received during the load (no loss here, so every one sent), and whether every member had every message 5 ms after it. */
    private record Run(long tokens, boolean caughtUpSoon) {
    }

    /** Runs three daemons, one member each in g0, the first sending {@code perSend} every {@code everyNanos}. */
    private static Run underLoad(long rotationMinNanos, long everyNanos, int perSend) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 3;
        p.faults = false;
        p.minDelayNanos = 20 * US;
        p.maxDelayNanos = 40 * US;
        p.rotationMinNanos = rotationMinNanos;
        Simulator sim = new Simulator(7, p);
        sim.startAll();
        sim.runUntil(500 * Simulator.MS);
        long[] members = new long[3];
        for (int d = 0; d < 3; d++) {
            members[d] = sim.connect(d);
            sim.join(members[d], "g0");
        }
        long t = 700 * Simulator.MS;
        sim.runUntil(t);
        long before = sim.tokensReceived;
        int sent = 0;
        for (long end = t + LOAD_NANOS; t < end; t += everyNanos) {
            for (int k = 0; k < perSend; k++) {
                sim.multicast(members[0], List.of("g0"), ServiceLevel.AGREED, false);
                sent++;
            }
            sim.runUntil(t);
        }
        long tokens = sim.tokensReceived - before;
        sim.runUntil(t + 5 * Simulator.MS);
        boolean caughtUp = true;
        for (long m : members) {
            caughtUp &= delivered(sim, m) == sent;
        }
        sim.runUntil(t + 200 * Simulator.MS);
        for (long m : members) {
            assertThat(delivered(sim, m)).as("every message at every member").isEqualTo(sent);
        }
        return new Run(tokens, caughtUp);
    }

    private static long delivered(Simulator sim, long member) {
        return sim.log(member).entries.stream().filter(SessionLog.Delivered.class::isInstance).count();
    }

    @Test
    void lightTrafficRotatesTheTokenAtMostOncePerMinimumRotation() {
        Run pacedRun = underLoad(500 * US, 100 * US, 1);
        long paced = pacedRun.tokens();
        long unpaced = underLoad(0, 100 * US, 1).tokens();
        assertThat(pacedRun.caughtUpSoon()).as("pacing adds at most a rotation of latency").isTrue();
        // 3 token datagrams per rotation, one rotation per 500 µs at most (a little slack for the start).
        long bound = 3 * (LOAD_NANOS / (500 * US)) + 6;
        assertThat(paced).isLessThanOrEqualTo(bound);
        // Unpaced, the token spins at the network's speed (20 to 40 µs a hop): several times as many.
        assertThat(unpaced).isGreaterThan(3 * paced);
    }

    @Test
    void aVisitsWorthQueuedIsNotHeldBack() {
        // 100 messages every 500 µs (200 000 msgs/s): more than a personal window (64) arrives per minimum
        // rotation, so a paced token must go on at once and the ring keep up as an unpaced one does.
        assertThat(underLoad(0, 500 * US, 100).caughtUpSoon()).isTrue();
        assertThat(underLoad(500 * US, 500 * US, 100).caughtUpSoon()).isTrue();
    }
}
