package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Engine#shutdown}: sessions closed with DAEMON_SHUTDOWN, no new ones, and when the engine may stop. */
class ShutdownTest {
    @Test
    void aSingleDaemonHasStoppedOnceShutdownReturns() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "alice");
        assertThat(h.engine.stopped()).isFalse();
        h.engine.shutdown(h.nowNanos);
        List<Output> out = h.collect();
        assertThat(out).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(Output.CloseSession.class,
                c -> assertThat(c.code()).isEqualTo(ErrorCode.DAEMON_SHUTDOWN)));
        assertThat(h.engine.stopped()).isTrue();
    }

    @Test
    void aClientThatConnectsDuringTheStopIsToldTheDaemonIsShuttingDown() {
        EngineHarness h = new EngineHarness(EngineConfig.defaults().withClustered(true).withDaemonId(3));
        h.engine.tick(h.nowNanos);
        h.engine.shutdown(h.nowNanos);
        h.collect();
        List<Output> out = h.connect(2, "late");
        assertThat(out).singleElement().isInstanceOfSatisfying(Output.CloseSession.class,
                c -> assertThat(c.code()).isEqualTo(ErrorCode.DAEMON_SHUTDOWN));
        assertThat(h.engine.sessionCount()).isZero();
    }

    @Test
    void theLeaveTimeoutFollowsTheTokenLossTimeoutUnlessSet() {
        EngineConfig c = EngineConfig.defaults();
        assertThat(c.leaveTimeoutNanos()).isEqualTo(5 * c.tokenLossTimeoutNanos());
        EngineConfig slower = c.withTimeouts(400_000_000L, 30_000_000L, 20_000_000L, 100_000_000L, 100_000_000L,
                1_000_000L);
        assertThat(slower.leaveTimeoutNanos()).isEqualTo(2_000_000_000L);
        assertThat(slower.withLeaveTimeoutNanos(123).leaveTimeoutNanos()).isEqualTo(123);
    }
}
