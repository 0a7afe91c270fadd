package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring's configuration: copies, validation, and the single-daemon default left as it was. */
class RingConfigTest {
    @Test
    void ringSettingsAreCopiesAndValidated() {
        EngineConfig base = EngineConfig.defaults();
        EngineConfig c = base.withClustered(true).withDaemonId(7).withWindows(100, 10)
                .withTimeouts(300_000_000, 40_000_000, 25_000_000, 120_000_000, 90_000_000, 2_000_000)
                .withInitialSequence(-5);
        assertThat(base.clustered()).isFalse();
        assertThat(base.daemonId()).isZero();
        assertThat(c.clustered()).isTrue();
        assertThat(c.daemonId()).isEqualTo(7);
        assertThat(c.globalWindowMessages()).isEqualTo(100);
        assertThat(c.personalWindowMessages()).isEqualTo(10);
        assertThat(c.tokenLossTimeoutNanos()).isEqualTo(300_000_000);
        assertThat(c.tokenRetransmitNanos()).isEqualTo(40_000_000);
        assertThat(c.joinIntervalNanos()).isEqualTo(25_000_000);
        assertThat(c.consensusTimeoutNanos()).isEqualTo(120_000_000);
        assertThat(c.mergeDetectNanos()).isEqualTo(90_000_000);
        assertThat(c.tokenHoldNanos()).isEqualTo(2_000_000);
        assertThat(c.initialSequence()).isEqualTo(-5);
        assertThatThrownBy(() -> base.withDaemonId(1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.withWindows(10, 11)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.withTimeouts(100, 100, 1, 2, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenRetransmitNanos");
        assertThatThrownBy(() -> base.withTimeouts(100, 50, 10, 10, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("joinIntervalNanos");
    }

    @Test
    void aSingleDaemonNeedsNoNetworkAndNoTimer() {
        Engine e = new Engine(EngineConfig.defaults());
        e.connect(1, "alice", 0);
        e.subscribe(1, 1, StreamFilter.all(), 0);
        e.credit(1, 1, 100, 0);
        e.join(1, 7, "chat", 0);
        e.multicast(1, 8, List.of("chat"), ServiceLevel.SAFE, false, 1, new byte[] {1}, 0);
        List<Output> out = e.takeOutputs();
        assertThat(out).noneMatch(o -> o instanceof Output.NetworkOutput);
        assertThat(out).anyMatch(o -> o instanceof Output.Deliver d && d.event() instanceof MessageEvent);
        assertThat(e.configurationMembers()).isEmpty();
        assertThat(e.groupsStable()).isTrue();
    }

    @Test
    void aClusteredDaemonAloneFormsARingOfOneAndServes() {
        Engine e = new Engine(EngineConfig.defaults().withClustered(true).withDaemonId(3).withDaemonName("d3"));
        long now = 0;
        e.tick(now);
        e.connect(1, "alice", now);
        e.subscribe(1, 1, StreamFilter.all(), now);
        e.credit(1, 1, Long.MAX_VALUE, now);
        e.join(1, 7, "chat", now);
        List<Output> all = new java.util.ArrayList<>();
        long deadline = now;
        for (int i = 0; i < 1000 && now < 1_000_000_000L; i++) {
            List<Output> out = e.takeOutputs();
            all.addAll(out);
            for (Output o : out) {
                if (o instanceof Output.SetTimer t) {
                    deadline = t.deadlineNanos();
                }
            }
            now = Math.max(now, deadline);
            e.tick(now);
            deadline = now + 1_000_000;
        }
        assertThat(e.configurationMembers()).containsExactly(3);
        assertThat(all).anyMatch(o -> o instanceof Output.Deliver d && d.event() instanceof ViewEvent v
                && v.cause() == ViewCause.JOIN);
        assertThat(all).anyMatch(o -> o instanceof Output.RequestDone);
    }
}
