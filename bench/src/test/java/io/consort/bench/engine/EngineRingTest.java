package io.consort.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import org.junit.jupiter.api.Test;

/** The benchmark's driver is right before it is fast: every daemon gets every message, deterministically. */
class EngineRingTest {
    @Test
    void everyDaemonDeliversEveryMessageFromOneOrThreeSenders() {
        EngineRing ring = EngineRing.form(3, EngineConfig.defaults());
        byte[] payload = new byte[1024];
        assertThat(ring.flood(3_000, new int[] {0}, payload, ServiceLevel.AGREED)).isEqualTo(3_000);
        assertThat(ring.flood(3_001, new int[] {0, 1, 2}, payload, ServiceLevel.SAFE)).isEqualTo(3_001);
        for (int d = 0; d < 3; d++) {
            assertThat(ring.delivered(d)).isEqualTo(6_001);
        }
    }

    @Test
    void aRunReplaysExactly() {
        long[] a = run();
        long[] b = run();
        assertThat(a).containsExactly(b);
    }

    private static long[] run() {
        EngineRing ring = EngineRing.form(3, EngineConfig.defaults());
        ring.flood(2_000, new int[] {0, 1, 2}, new byte[100], ServiceLevel.AGREED);
        return new long[] {ring.datagrams(), ring.datagramBytes(), ring.nowNanos()};
    }
}
