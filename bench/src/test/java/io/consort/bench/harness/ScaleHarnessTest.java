package io.consort.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScaleHarnessTest {
    @Test
    void configRaisesMaxSessionsOnlyWhenAsked() throws Exception {
        String raised = Consortds.config(3, "hold-back-senders", 65535, 0, 10_064);
        assertTrue(raised.startsWith("limits:\n  slowConsumerPolicy: hold-back-senders\n  maxSessions: 10064\n"), raised);
        assertFalse(Consortds.config(3, "hold-back-senders", 65535, 0).contains("maxSessions"));
    }

    @Test
    void readsUsedHeapFromJcmdHeapInfo() {
        String g1 = "12345:\n garbage-first heap   total 524288K, used 7743K [0x00000000c0000000, 0x0000000100000000)\n"
                + "  region size 1024K, 2 young (2048K), 0 survivors (0K)\n Metaspace       used 20000K, committed 20480K\n";
        assertEquals(7743L * 1024, Consortds.usedHeapBytes(g1, "d1"));
        assertThrows(IllegalStateException.class, () -> Consortds.usedHeapBytes("no heap here", "d1"));
    }
}
