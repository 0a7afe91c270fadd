package io.consort.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The receiver's checks with several senders: FIFO per sender, and a digest that sees the total order. */
class ReceiverStatsTest {
    private static void deliver(ReceiverStats s, int sender, long i) {
        byte[] p = Payload.make(Payload.tag(sender, i), System.nanoTime(), 64);
        s.onMessage(p, 0, p.length);
    }

    private static String field(ReceiverStats s, String key) {
        return RunResult.parse(s.resultLine("t", "receiver", 1)).get(key);
    }

    private static ReceiverStats run(List<int[]> order) throws InterruptedException {
        ReceiverStats s = new ReceiverStats(1, 2, 64, 2);
        for (int[] m : order) {
            deliver(s, m[0], m[1]);
        }
        assertTrue(s.await(0), s.resultLine("t", "receiver", 1));
        return s;
    }

    @Test
    void everySendersStreamCompleteIsARunAndTheInterleavingChangesTheDigest() throws Exception {
        ReceiverStats a = run(List.of(new int[] {0, 0}, new int[] {1, 0}, new int[] {0, 1}, new int[] {1, 1},
                new int[] {0, 2}, new int[] {1, 2}));
        ReceiverStats b = run(List.of(new int[] {1, 0}, new int[] {0, 0}, new int[] {0, 1}, new int[] {1, 1},
                new int[] {0, 2}, new int[] {1, 2}));
        ReceiverStats c = run(List.of(new int[] {0, 0}, new int[] {1, 0}, new int[] {0, 1}, new int[] {1, 1},
                new int[] {0, 2}, new int[] {1, 2}));
        assertEquals(field(a, "digest"), field(c, "digest"));
        assertNotEquals(field(a, "digest"), field(b, "digest"), "a different total order must give a different digest");
        assertEquals("0", field(a, "missing"));
    }

    @Test
    void aGapInOneSendersStreamFailsTheRun() throws Exception {
        ReceiverStats s = new ReceiverStats(0, 3, 64, 2);
        deliver(s, 0, 0);
        deliver(s, 1, 0);
        deliver(s, 1, 2);
        assertFalse(s.await(0));
        assertEquals("expected_message_1:1_but_got_2", field(s, "error"));
    }

    @Test
    void aGapAfterAConfigurationChangeIsReportedAsSuch() {
        ReceiverStats s = new ReceiverStats(0, 3, 64, 1);
        deliver(s, 0, 0);
        s.onConfigurationChange();
        deliver(s, 0, 2);
        assertEquals("1", field(s, "config_changes"));
        RunResult r = RunResult.of("consort", 3, 64, 0, 1, List.of(s.resultLine("consort", "receiver", 1)));
        assertTrue(r.problem().contains("after 1 configuration change(s)"), r.problem());
    }
}
