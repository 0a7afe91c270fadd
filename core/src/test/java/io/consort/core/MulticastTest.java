package io.consort.core;

import static io.consort.core.EngineHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Open groups, multi-group multicast, private-group unicast, service levels, SELF_DISCARD, message type. */
class MulticastTest {
    static final String A = "#a#localhost";
    static final String B = "#b#localhost";

    private static EngineHarness threeSessions() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.connectReading(3, "c");
        return h;
    }

    @Test
    void nonMemberCanSendToAnOpenGroup() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        List<Output> out = h.send(1, "g", "from outside");
        assertThat(h.texts(2)).containsExactly("from outside");
        assertThat(h.messages(1)).isEmpty();
        assertThat(h.failures(1)).isEmpty();
        // the accepted multicast gives its send credit back
        assertThat(out).contains(new Output.SendCredit(1, 1));
        MessageEvent m = h.messages(2).get(0);
        assertThat(m.sender()).isEqualTo(A);
        assertThat(m.groups()).containsExactly("g");
    }

    @Test
    void messageToAGroupWithoutMembersIsAcceptedAndReachesNobody() {
        EngineHarness h = threeSessions();
        List<Output> out = h.send(1, "empty", "void");
        assertThat(out).containsExactly(new Output.SendCredit(1, 1));
    }

    @Test
    void multiGroupMessageIsDeliveredOnceToAMemberOfSeveralGroupsWithOneSequenceNumber() {
        EngineHarness h = threeSessions();
        h.joined(2, "g1");
        h.joined(2, "g2");
        h.joined(2, "g3");
        h.joined(3, "g2");
        h.send(1, List.of("g1", "g2", "g3"), ServiceLevel.AGREED, false, 9, bytes("x"));

        assertThat(h.messages(2)).hasSize(1);
        assertThat(h.messages(3)).hasSize(1);
        MessageEvent atB = h.messages(2).get(0);
        MessageEvent atC = h.messages(3).get(0);
        assertThat(atB.sequence()).isEqualTo(atC.sequence());
        assertThat(atB.groups()).containsExactly("g1", "g2", "g3");
        assertThat(atC.groups()).containsExactly("g1", "g2", "g3");
    }

    @Test
    void sendingToTheSameGroupTwiceInOneMessageDeliversOnce() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        h.send(1, List.of("g", "g"), ServiceLevel.AGREED, false, 0, bytes("x"));
        assertThat(h.messages(2)).hasSize(1);
        assertThat(h.messages(2).get(0).groups()).containsExactly("g");
    }

    @Test
    void sequenceNumbersGrowInSendOrder() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        h.send(1, "g", "1");
        h.send(3, "g", "2");
        h.send(1, "g", "3");
        List<MessageEvent> ms = h.messages(2);
        assertThat(ms).extracting(m -> new String(m.payload())).containsExactly("1", "2", "3");
        assertThat(ms.get(0).sequence()).isLessThan(ms.get(1).sequence());
        assertThat(ms.get(1).sequence()).isLessThan(ms.get(2).sequence());
    }

    @Test
    void groupStreamSeesAMultiGroupMessageOnlyIfItCameThroughThatGroup() {
        EngineHarness h = threeSessions();
        h.subscribe(2, 7, new StreamFilter("g1", true, false));
        h.credit(2, 7, 100);
        h.subscribe(2, 8, new StreamFilter("g2", true, false));
        h.credit(2, 8, 100);
        h.joined(2, "g1");
        // b is not in g2: a message to g1 and g2 comes to b through g1 only
        h.send(1, List.of("g1", "g2"), ServiceLevel.AGREED, false, 0, bytes("both"));
        h.send(1, List.of("g2"), ServiceLevel.AGREED, false, 0, bytes("g2 only"));
        h.send(1, List.of("g1"), ServiceLevel.AGREED, false, 0, bytes("g1 only"));

        assertThat(h.events(2, 7)).extracting(EngineHarness::text).containsExactly("both", "g1 only");
        assertThat(h.events(2, 8)).isEmpty();
        assertThat(h.texts(2)).containsExactly("both", "g1 only");

        // once b is in g2 as well, both group streams get the shared message, each once
        h.joined(2, "g2");
        h.send(1, List.of("g1", "g2"), ServiceLevel.AGREED, false, 0, bytes("both again"));
        assertThat(h.events(2, 7)).extracting(EngineHarness::text).endsWith("both again");
        assertThat(h.events(2, 8)).extracting(EngineHarness::text).containsExactly("both again");
        assertThat(h.texts(2)).containsExactly("both", "g1 only", "both again");
    }

    @Test
    void viewsOnlyAndMessagesOnlyStreamsGetOnlyTheirKind() {
        EngineHarness h = threeSessions();
        h.subscribe(2, 7, new StreamFilter("g", false, true));
        h.credit(2, 7, 100);
        h.subscribe(2, 8, new StreamFilter(null, true, false));
        h.credit(2, 8, 100);
        h.joined(2, "g");
        h.send(1, "g", "m");
        assertThat(h.events(2, 7)).singleElement().isInstanceOf(ViewEvent.class);
        assertThat(h.events(2, 8)).singleElement().isInstanceOf(MessageEvent.class);
    }

    @Test
    void privateGroupUnicastReachesOnlyThatSession() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        h.joined(3, "g");
        h.subscribe(2, 9, new StreamFilter(B, true, false));
        h.credit(2, 9, 10);
        h.subscribe(2, 10, new StreamFilter("g", true, false));
        h.credit(2, 10, 10);
        h.send(1, List.of(B), ServiceLevel.FIFO, false, 3, bytes("psst"));

        assertThat(h.texts(2)).containsExactly("psst");
        assertThat(h.messages(3)).isEmpty();
        assertThat(h.messages(1)).isEmpty();
        assertThat(h.events(2, 9)).extracting(EngineHarness::text).containsExactly("psst");
        assertThat(h.events(2, 10)).isEmpty();
        assertThat(h.messages(2).get(0).groups()).containsExactly(B);
    }

    @Test
    void unicastAndGroupInOneMessageDeliverOnce() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        h.send(1, List.of("g", B), ServiceLevel.AGREED, false, 0, bytes("once"));
        assertThat(h.texts(2)).containsExactly("once");
    }

    @Test
    void unicastToAnUnknownPrivateNameIsAcceptedAndReachesNobody() {
        EngineHarness h = threeSessions();
        List<Output> out = h.send(1, List.of("#nobody#localhost"), ServiceLevel.AGREED, false, 0, bytes("lost"));
        assertThat(out).containsExactly(new Output.SendCredit(1, 1));
    }

    @ParameterizedTest
    @EnumSource(ServiceLevel.class)
    void everyServiceLevelIsCarriedOnTheDeliveredMessage(ServiceLevel level) {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(2, "g");
        h.send(1, List.of("g"), level, false, 0, bytes("x"));
        assertThat(h.messages(2)).singleElement().extracting(MessageEvent::level).isEqualTo(level);
        assertThat(h.messages(1)).singleElement().extracting(MessageEvent::level).isEqualTo(level);
    }

    @Test
    void mixedServiceLevelsArriveInSendOrderWithTheirLevels() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        for (ServiceLevel level : ServiceLevel.values()) {
            h.send(1, List.of("g"), level, false, level.code(), bytes(level.name()));
        }
        assertThat(h.messages(2)).extracting(MessageEvent::level).containsExactly(ServiceLevel.values());
        assertThat(h.messages(2)).extracting(MessageEvent::type).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void selfDiscardKeepsTheMessageFromItsSenderOnly() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(2, "g");
        List<Output> out = h.send(1, List.of("g"), ServiceLevel.AGREED, true, 0, bytes("not to me"));
        assertThat(h.messages(1)).isEmpty();
        assertThat(h.texts(2)).containsExactly("not to me");
        assertThat(out).contains(new Output.SendCredit(1, 1));

        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, bytes("to me too"));
        assertThat(h.texts(1)).containsExactly("to me too");
    }

    @Test
    void selfDiscardAlsoAppliesToMultiGroupAndSelfUnicast() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(1, "h");
        h.send(1, List.of("g", "h", A), ServiceLevel.SAFE, true, 0, bytes("x"));
        assertThat(h.messages(1)).isEmpty();
        h.send(1, List.of(A), ServiceLevel.SAFE, false, 0, bytes("note to self"));
        assertThat(h.texts(1)).containsExactly("note to self");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF})
    void sixteenBitTypeIsCarriedUntouched(int type) {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, type, bytes("t"));
        assertThat(h.messages(2)).singleElement().extracting(MessageEvent::type).isEqualTo(type);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x10000, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void typeOutsideSixteenBitsIsRefused(int type) {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        int id = h.nextRequestId();
        List<Output> out = h.send(1, List.of("g"), ServiceLevel.AGREED, false, type, bytes("t"));
        assertThat(out).hasSize(1);
        Output.RequestFailed f = (Output.RequestFailed) out.get(0);
        assertThat(f.requestId()).isEqualTo(id);
        assertThat(f.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(h.messages(2)).isEmpty();
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void payloadBytesArriveUnchanged() {
        EngineHarness h = threeSessions();
        h.joined(2, "g");
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, payload.clone());
        assertThat(h.messages(2).get(0).payload()).isEqualTo(payload);
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[0]);
        assertThat(h.messages(2).get(1).payload()).isEmpty();
    }
}
