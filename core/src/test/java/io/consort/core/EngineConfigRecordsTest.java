package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** EngineConfig's records: each validated when built, cross-field rules included; setters rebuild one record. */
class EngineConfigRecordsTest {
    @Test
    void timeoutsThatContradictEachOtherAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> new EngineConfig.TotemTimeouts(100, 100, 1, 2, 1, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenRetransmitNanos");
        assertThatThrownBy(() -> new EngineConfig.TotemTimeouts(100, 50, 10, 10, 1, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("joinIntervalNanos");
        assertThatThrownBy(() -> new EngineConfig.TotemTimeouts(100, 50, 10, 20, 1, 50, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenHoldNanos");
        assertThatThrownBy(() -> new EngineConfig.TotemTimeouts(100, 50, 10, 20, 1, 1, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaveTimeoutNanos");
        assertThatThrownBy(() -> new EngineConfig.TotemTimeouts(100, 50, 10, 20, 1, 1, 0, 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rotationMinNanos");
    }

    @Test
    void windowsAndLimitsAndIdentityAreValidatedWhenBuilt() {
        assertThatThrownBy(() -> new EngineConfig.TotemWindows(10, 11, 0, 0, 1400))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("personalWindowMessages");
        assertThatThrownBy(() -> new EngineConfig.TotemWindows(10, 10, 0, 0, 511))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDatagramBytes");
        EngineConfig.SessionLimits l = EngineConfig.defaults().limits();
        assertThatThrownBy(() -> new EngineConfig.SessionLimits(l.maxMessageBytes(), l.maxGroupNameBytes(),
                l.maxPrivateNameBytes(), l.maxGroupsPerMessage(), l.maxSessions(), 1023, l.sendWindowMessages(),
                l.sendWindowBytes(), l.slowConsumerPolicy())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EngineConfig.SessionLimits(l.maxMessageBytes(), l.maxGroupNameBytes(),
                l.maxPrivateNameBytes(), l.maxGroupsPerMessage(), l.maxSessions(), l.sessionBufferBytesMax(),
                l.sendWindowMessages(), 0, l.slowConsumerPolicy())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sendWindowBytes");
        assertThatThrownBy(() -> new EngineConfig.Identity("d1", 1024, 1, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("daemonId");
        assertThatThrownBy(() -> new EngineConfig.Identity("a#b", 1, 1, true, 0)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aRecordSetsItsValuesTogetherAndTheFluentSettersAgreeWithIt() {
        EngineConfig.TotemTimeouts t = new EngineConfig.TotemTimeouts(300_000_000, 40_000_000, 25_000_000,
                120_000_000, 90_000_000, 2_000_000, 0, EngineConfig.defaults().rotationMinNanos());
        EngineConfig byRecord = EngineConfig.defaults().withTimeouts(t);
        EngineConfig bySetter = EngineConfig.defaults().withTimeouts(300_000_000, 40_000_000, 25_000_000,
                120_000_000, 90_000_000, 2_000_000);
        assertThat(byRecord.timeouts()).isEqualTo(bySetter.timeouts()).isEqualTo(t);
        assertThat(byRecord.leaveTimeoutNanos()).as("0: five token-loss timeouts").isEqualTo(1_500_000_000L);
        assertThat(byRecord.consensusTimeoutNanos()).isEqualTo(120_000_000);
        EngineConfig named = byRecord.withDaemonName("d9").withDaemonId(9);
        assertThat(named.identity()).isEqualTo(new EngineConfig.Identity("d9", 9, 1, false, 0));
        assertThat(byRecord.daemonName()).as("a copy: the original is unchanged").isEqualTo("localhost");
        assertThat(named.timeouts()).isSameAs(t);
    }
}
