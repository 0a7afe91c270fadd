package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.EngineConfig.SlowConsumerPolicy;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** EngineConfig is immutable: every {@code with...} returns a validated copy. */
class EngineConfigTest {

    @Test
    void defaultsAreDocumented() {
        EngineConfig c = EngineConfig.defaults();
        assertThat(c.maxMessageBytes()).isEqualTo(1 << 20).isEqualTo(EngineConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(c.maxGroupNameBytes()).isEqualTo(32);
        assertThat(c.daemonName()).isEqualTo("localhost");
        assertThat(c.slowConsumerPolicy()).isEqualTo(SlowConsumerPolicy.DISCONNECT);
    }

    @Test
    void everyWithReturnsACopyAndLeavesTheOriginalUnchanged() {
        check(c -> c.withDaemonName("d9"), EngineConfig::daemonName, "d9");
        check(c -> c.withIncarnation(42), EngineConfig::incarnation, 42L);
        check(c -> c.withMaxMessageBytes(4096), EngineConfig::maxMessageBytes, 4096);
        check(c -> c.withMaxGroupNameBytes(8), EngineConfig::maxGroupNameBytes, 8);
        check(c -> c.withMaxPrivateNameBytes(9), EngineConfig::maxPrivateNameBytes, 9);
        check(c -> c.withMaxGroupsPerMessage(3), EngineConfig::maxGroupsPerMessage, 3);
        check(c -> c.withMaxSessions(5), EngineConfig::maxSessions, 5);
        check(c -> c.withSessionBufferBytesMax(2048), EngineConfig::sessionBufferBytesMax, 2048L);
        check(c -> c.withSendWindowMessages(11), EngineConfig::sendWindowMessages, 11);
        check(c -> c.withSendWindowBytes(12345), EngineConfig::sendWindowBytes, 12345L);
        check(c -> c.withRotationMinNanos(250_000), EngineConfig::rotationMinNanos, 250_000L);
        check(c -> c.withSlowConsumerPolicy(SlowConsumerPolicy.HOLD_BACK_SENDERS), EngineConfig::slowConsumerPolicy,
                SlowConsumerPolicy.HOLD_BACK_SENDERS);
        check(c -> c.withSeed(-7), EngineConfig::seed, -7L);
    }

    private static <T> void check(UnaryOperator<EngineConfig> change, Function<EngineConfig, T> get, T expected) {
        EngineConfig base = EngineConfig.defaults().withDaemonName("base");
        String before = base.toString();
        T original = get.apply(base);
        EngineConfig changed = change.apply(base);
        assertThat(changed).isNotSameAs(base);
        assertThat(get.apply(changed)).isEqualTo(expected);
        assertThat(get.apply(base)).isEqualTo(original);
        assertThat(base.toString()).isEqualTo(before);
        // the copy carries everything else over
        assertThat(changed.daemonName()).isEqualTo(expected instanceof String ? expected : "base");
        // and changing the copy again never reaches back
        EngineConfig again = changed.withMaxSessions(1);
        assertThat(get.apply(changed)).isEqualTo(expected);
        assertThat(again.maxSessions()).isEqualTo(1);
    }

    @Test
    void defaultsAreNeverChangedByWith() {
        EngineConfig.defaults().withMaxMessageBytes(7).withDaemonName("other");
        assertThat(EngineConfig.defaults().maxMessageBytes()).isEqualTo(1 << 20);
        assertThat(EngineConfig.defaults().daemonName()).isEqualTo("localhost");
    }

    @Test
    void invalidValuesAreRefused() {
        EngineConfig c = EngineConfig.defaults();
        assertThatThrownBy(() -> c.withMaxMessageBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxMessageBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withIncarnation(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxGroupNameBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxPrivateNameBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxGroupsPerMessage(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxSessions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withSendWindowMessages(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withSessionBufferBytesMax(1023)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withSlowConsumerPolicy(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.withDaemonName(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.withDaemonName("a#b")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> c.withDaemonName("")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> c.withDaemonName("x".repeat(33))).isInstanceOf(RuntimeException.class);
        // the refused calls changed nothing
        assertThat(c.maxMessageBytes()).isEqualTo(1 << 20);
        assertThat(c.sessionBufferBytesMax()).isEqualTo(16L << 20);
    }

    @Test
    void boundaryValuesAreAccepted() {
        assertThat(EngineConfig.defaults().withSessionBufferBytesMax(1024).sessionBufferBytesMax()).isEqualTo(1024);
        assertThat(EngineConfig.defaults().withDaemonName("x".repeat(32)).daemonName()).hasSize(32);
    }
}
