package io.consort.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The stall guard: a wake far past the deadline is this daemon's own stall, a bounded number of times in a row. */
class StallGuardTest {
    private static final long MS = 1_000_000;

    @Test
    void aLateWakeEarnsAGraceAnOnTimeOneDoesNot() {
        StallGuard g = StallGuard.forTimeouts(400 * MS, 40 * MS); // threshold max(40, 50) = 50 ms
        assertThat(g.graceFor(1000 * MS, 1040 * MS)).as("jitter").isFalse();
        assertThat(g.graceFor(1000 * MS, 1060 * MS)).as("a stall").isTrue();
        assertThat(g.graceFor(Long.MAX_VALUE, 5000 * MS)).as("nothing was due").isFalse();
        assertThat(g.graces()).isEqualTo(1);
    }

    @Test
    void graceIsBoundedUntilTheRingSeesProgress() {
        StallGuard g = new StallGuard(10 * MS);
        for (int i = 0; i < StallGuard.MAX_CONSECUTIVE_GRACES; i++) {
            assertThat(g.graceFor(0, 100 * MS)).isTrue();
        }
        assertThat(g.graceFor(0, 100 * MS)).as("a daemon stalling over and over still detects failures").isFalse();
        g.progress();
        assertThat(g.graceFor(0, 100 * MS)).isTrue();
    }
}
