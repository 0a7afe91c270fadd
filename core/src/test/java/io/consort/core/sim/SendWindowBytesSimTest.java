package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The send window in bytes: a sender of large messages has thousands of message credits, but the daemon
 * keeps at most {@code sendWindowBytes} (plus the message that crossed it) of its multicasts unordered:
 * it stops reading the sender's connection above the bound and reads again once ordering brings it
 * under. Nothing is lost or refused on the way.
 */
class SendWindowBytesSimTest {
    private static final int PAYLOAD = 64 * 1024;
    private static final long WINDOW = 1L << 20;

    @Test
    void aFloodOfLargeMessagesIsHeldToTheByteWindowAndAllArrive() {
        Simulator.Params p = new Simulator.Params();
        p.daemons = 3;
        p.faults = false;
        p.sendWindowBytes = WINDOW;
        Simulator sim = new Simulator(11, p);
        sim.startAll();
        sim.runUntil(500 * Simulator.MS);
        long sender = sim.connect(0);
        long receiver = sim.connect(2);
        sim.join(sender, "g0");
        sim.join(receiver, "g0");
        long t = 700 * Simulator.MS;
        sim.runUntil(t);

        int sent = 0;
        long maxUnordered = 0;
        for (long end = t + 300 * Simulator.MS; t < end; t += 20_000) {
            // As fast as the daemon lets it: every credit it has, as long as its connection is read.
            while (sent < 2_000 && sim.multicast(sender, List.of("g0"), ServiceLevel.AGREED, false, PAYLOAD) >= 0) {
                sent++;
                maxUnordered = Math.max(maxUnordered, sim.engine(0).unorderedBytes(sender));
            }
            sim.runUntil(t);
        }
        sim.runUntil(t + 2_000 * Simulator.MS);

        assertThat(sent).as("the sender had far more credits than the byte window").isGreaterThan(40);
        assertThat(maxUnordered).isLessThanOrEqualTo(WINDOW + PAYLOAD);
        long delivered = sim.log(receiver).entries.stream().filter(SessionLog.Delivered.class::isInstance).count();
        assertThat(delivered).isEqualTo(sent);
        assertThat(sim.engine(0).unorderedBytes(sender)).isZero();
    }
}
