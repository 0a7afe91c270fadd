package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sessions get unique private names {@code #user#daemon}; bad, duplicate and surplus sessions are refused. */
class SessionNamesTest {

    @Test
    void sessionGetsPrivateNameOfUserAndDaemonAndItsSendWindow() {
        EngineHarness h = new EngineHarness(EngineConfig.defaults().withDaemonName("d1").withSendWindowMessages(7));
        List<Output> out = h.connect(1, "alice");
        assertThat(out).containsExactly(new Output.SessionAccepted(1, "#alice#d1", 7, EngineConfig.DEFAULT_MAX_MESSAGE_BYTES));
        assertThat(h.engine.sessionCount()).isEqualTo(1);
    }

    @Test
    void duplicatePrivateNameIsRefusedAndFirstSessionIsUnaffected() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "alice");
        h.joined(1, "chat");

        List<Output> out = h.connect(2, "alice");
        assertThat(out).hasSize(1);
        Output.CloseSession close = (Output.CloseSession) out.get(0);
        assertThat(close.sessionId()).isEqualTo(2);
        assertThat(close.code()).isEqualTo(ErrorCode.DUPLICATE_PRIVATE_NAME);
        assertThat(close.reason()).contains("#alice#localhost");
        assertThat(h.engine.sessionCount()).isEqualTo(1);

        // the driver reports the refused connection gone; that must not touch the first session
        h.disconnect(2, false);
        assertThat(h.engine.members("chat")).containsExactly("#alice#localhost");
        h.send(1, "chat", "still here");
        assertThat(h.texts(1)).containsExactly("still here");
        assertThat(h.outputsOf(1)).noneMatch(Output.CloseSession.class::isInstance);
    }

    @Test
    void privateNameIsFreeAgainAfterDisconnect() {
        EngineHarness h = new EngineHarness();
        h.connect(1, "alice");
        h.disconnect(1, true);
        assertThat(h.connect(2, "alice")).containsExactly(new Output.SessionAccepted(2, "#alice#localhost", EngineConfig.defaults().sendWindowMessages(), EngineConfig.DEFAULT_MAX_MESSAGE_BYTES));
    }

    @Test
    void invalidUserNamesAreRefusedWithInvalidPrivateName() {
        EngineHarness h = new EngineHarness();
        String[] bad = {"", "a#b", "with space", "tab\t", "caf\u00e9", "x".repeat(21), "\u0000"};
        long id = 10;
        for (String user : bad) {
            List<Output> out = h.connect(id, user);
            assertThat(out).as("user '%s'", user).hasSize(1);
            Output.CloseSession close = (Output.CloseSession) out.get(0);
            assertThat(close.sessionId()).isEqualTo(id);
            assertThat(close.code()).as("user '%s'", user).isEqualTo(ErrorCode.INVALID_PRIVATE_NAME);
            id++;
        }
        assertThat(h.engine.sessionCount()).isZero();
    }

    @Test
    void userNameLengthLimitIsConfigurableAndInclusive() {
        EngineHarness h = new EngineHarness();
        assertThat(h.connect(1, "x".repeat(20)).get(0)).isInstanceOf(Output.SessionAccepted.class);

        EngineHarness small = new EngineHarness(EngineConfig.defaults().withMaxPrivateNameBytes(3));
        assertThat(small.connect(1, "abc").get(0)).isInstanceOf(Output.SessionAccepted.class);
        assertThat(((Output.CloseSession) small.connect(2, "abcd").get(0)).code())
                .isEqualTo(ErrorCode.INVALID_PRIVATE_NAME);
    }

    @Test
    void maxSessionsIsEnforcedAndFreedByDisconnect() {
        EngineHarness h = new EngineHarness(EngineConfig.defaults().withMaxSessions(2));
        h.connect(1, "a");
        h.connect(2, "b");
        List<Output> out = h.connect(3, "c");
        assertThat(out).hasSize(1);
        assertThat(((Output.CloseSession) out.get(0)).code()).isEqualTo(ErrorCode.TOO_MANY_SESSIONS);
        assertThat(h.engine.sessionCount()).isEqualTo(2);

        h.disconnect(1, true);
        assertThat(h.connect(4, "c").get(0)).isInstanceOf(Output.SessionAccepted.class);
    }

    @Test
    void privateNamesOfDifferentUsersDiffer() {
        EngineHarness h = new EngineHarness();
        String a = h.connectReading(1, "alice");
        String b = h.connectReading(2, "bob");
        assertThat(a).isEqualTo("#alice#localhost").isNotEqualTo(b);
        assertThat(b).isEqualTo("#bob#localhost");
    }
}
