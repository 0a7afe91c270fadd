package io.consort.core;

import static io.consort.core.EngineHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Message size, groups per message, group name length; refused multicasts and send credits. */
class LimitsTest {

    private static EngineHarness twoSessions(EngineConfig config) {
        EngineHarness h = new EngineHarness(config);
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.joined(2, "g");
        return h;
    }

    private static Output.RequestFailed refused(List<Output> out, int requestId) {
        assertThat(out).hasSize(1);
        Output.RequestFailed f = (Output.RequestFailed) out.get(0);
        assertThat(f.requestId()).isEqualTo(requestId);
        return f;
    }

    @Test
    void defaultMaxMessageIsOneMebibyteInclusive() {
        EngineHarness h = twoSessions(EngineConfig.defaults());
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[1 << 20]);
        assertThat(h.messages(2)).singleElement().satisfies(m -> assertThat(m.payload()).hasSize(1 << 20));

        int id = h.nextRequestId();
        Output.RequestFailed f = refused(h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0,
                new byte[(1 << 20) + 1]), id);
        assertThat(f.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        assertThat(f.reason()).contains("1048577").contains("1048576");
        assertThat(h.messages(2)).hasSize(1);
    }

    @Test
    void maxMessageSizeIsConfigurable() {
        EngineHarness h = twoSessions(EngineConfig.defaults().withMaxMessageBytes(100));
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[100]);
        int id = h.nextRequestId();
        assertThat(refused(h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[101]), id).code())
                .isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);

        EngineHarness big = twoSessions(EngineConfig.defaults().withMaxMessageBytes(4 << 20));
        big.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2 << 20]);
        assertThat(big.messages(2)).hasSize(1);
    }

    @Test
    void groupsPerMessageAreLimited() {
        EngineHarness h = twoSessions(EngineConfig.defaults().withMaxGroupsPerMessage(3));
        h.send(1, List.of("g", "x", "y"), ServiceLevel.AGREED, false, 0, bytes("three"));
        assertThat(h.texts(2)).containsExactly("three");

        int id = h.nextRequestId();
        assertThat(refused(h.send(1, List.of("g", "x", "y", "z"), ServiceLevel.AGREED, false, 0, bytes("four")), id)
                .code()).isEqualTo(ErrorCode.TOO_MANY_GROUPS);
        id = h.nextRequestId();
        assertThat(refused(h.send(1, List.of(), ServiceLevel.AGREED, false, 0, bytes("none")), id).code())
                .isEqualTo(ErrorCode.TOO_MANY_GROUPS);
        assertThat(h.texts(2)).containsExactly("three");
    }

    @Test
    void defaultGroupsPerMessageLimitHolds() {
        EngineHarness h = twoSessions(EngineConfig.defaults());
        int max = EngineConfig.defaults().maxGroupsPerMessage();
        List<String> groups = new ArrayList<>();
        for (int i = 0; i <= max; i++) {
            groups.add("g" + i);
        }
        int id = h.nextRequestId();
        assertThat(refused(h.send(1, groups, ServiceLevel.AGREED, false, 0, bytes("x")), id).code())
                .isEqualTo(ErrorCode.TOO_MANY_GROUPS);
        h.send(1, groups.subList(0, max), ServiceLevel.AGREED, false, 0, bytes("ok"));
        assertThat(h.failures(1)).hasSize(1);
    }

    @Test
    void destinationNamesAreChecked() {
        EngineHarness h = twoSessions(EngineConfig.defaults());
        h.joined(2, "x".repeat(32));
        h.send(1, List.of("x".repeat(32)), ServiceLevel.AGREED, false, 0, bytes("32"));
        assertThat(h.texts(2)).containsExactly("32");
        for (String bad : List.of("x".repeat(33), "", "a b", "a#b", "#", "##", "#a#", "##d", "#a b#d")) {
            int id = h.nextRequestId();
            assertThat(refused(h.send(1, List.of("g", bad), ServiceLevel.AGREED, false, 0, bytes("bad")), id).code())
                    .as("destination '%s'", bad).isEqualTo(ErrorCode.INVALID_GROUP_NAME);
        }
        assertThat(h.texts(2)).containsExactly("32");
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void refusedMulticastGivesItsCreditBackWithTheRefusalNotWithASendCredit() {
        EngineHarness h = twoSessions(EngineConfig.defaults().withSendWindowMessages(1).withMaxMessageBytes(10));
        for (int i = 0; i < 5; i++) {
            int id = h.nextRequestId();
            assertThat(refused(h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[11]), id).code())
                    .isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        }
        assertThat(h.sendCreditOutputs(1)).isEmpty();
        // the window of one is still whole: a valid message is accepted, not a protocol violation
        List<Output> out = h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[10]);
        assertThat(out).contains(new Output.SendCredit(1, 1));
        assertThat(h.closes()).isEmpty();
        assertThat(h.messages(2)).hasSize(1);
    }

    @Test
    void sendingWithoutSendCreditClosesTheSessionWithProtocolViolation() {
        // Senders get their credits back only when told; hold them back with a reader over its bound.
        EngineConfig config = EngineConfig.defaults().withSendWindowMessages(2).withSessionBufferBytesMax(1024)
                .withSlowConsumerPolicy(EngineConfig.SlowConsumerPolicy.HOLD_BACK_SENDERS);
        EngineHarness h = new EngineHarness(config);
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.connect(3, "slow");
        h.subscribe(3, 1, StreamFilter.all()); // never grants a credit
        h.joined(2, "g");
        h.joined(3, "g");

        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2000]);
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2000]);
        assertThat(h.sendCredits(1)).isZero();
        assertThat(h.closes()).isEmpty();

        List<Output> out = h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2000]);
        assertThat(out).anySatisfy(o -> {
            assertThat(o).isInstanceOf(Output.CloseSession.class);
            assertThat(((Output.CloseSession) o).sessionId()).isEqualTo(1);
            assertThat(((Output.CloseSession) o).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        });
        assertThat(h.messages(2)).hasSize(2);
        assertThat(h.engine.sessionCount()).isEqualTo(2);
    }

    @Test
    void aWindowOfOneIsRefilledByEachAcceptedMessage() {
        EngineHarness h = twoSessions(EngineConfig.defaults().withSendWindowMessages(1));
        h.send(1, "g", "one");
        h.send(1, "g", "two");
        assertThat(h.closes()).isEmpty();
        assertThat(h.sendCreditOutputs(1)).hasSize(2);
        assertThat(h.texts(2)).containsExactly("one", "two");
    }
}
