package io.consort.core;

import static io.consort.core.EngineHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-stream credits, saturation, bad credits, cancel, and the connection's writability. */
class CreditsTest {

    /** a sends; b has stream 1 (all, unbounded) and may open more. */
    private static EngineHarness setup() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "a");
        h.connect(2, "b");
        h.joined(1, "g");
        return h;
    }

    @Test
    void aStreamWithoutCreditsQueuesWhileAnotherStreamOfTheSameSessionKeepsReceiving() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        h.credit(2, 1, Long.MAX_VALUE);
        h.subscribe(2, 2, new StreamFilter("g", true, false)); // no credits
        h.joined(2, "g");
        assertThat(h.engine.bufferedBytes(2)).isZero();

        for (int i = 0; i < 5; i++) {
            h.send(1, "g", "m" + i);
        }
        assertThat(h.texts(2)).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(h.events(2, 2)).isEmpty();
        long queued = h.engine.bufferedBytes(2);
        assertThat(queued).isPositive();
        h.send(1, "g", "m5");
        assertThat(h.engine.bufferedBytes(2)).isGreaterThan(queued);

        // credits release exactly that many, oldest first
        List<Output> out = h.credit(2, 2, 2);
        assertThat(out).hasSize(2).allMatch(o -> o instanceof Output.Deliver d && d.streamId() == 2);
        assertThat(h.events(2, 2)).extracting(EngineHarness::text).containsExactly("m0", "m1");
        h.credit(2, 2, 100);
        assertThat(h.events(2, 2)).extracting(EngineHarness::text).containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
        assertThat(h.engine.bufferedBytes(2)).isZero();
        // and the remaining credits let new messages straight through
        h.send(1, "g", "m6");
        assertThat(h.events(2, 2)).extracting(EngineHarness::text).endsWith("m6");
        assertThat(h.engine.bufferedBytes(2)).isZero();
    }

    @Test
    void creditsSaturateInsteadOfWrapping() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        h.credit(2, 1, Long.MAX_VALUE);
        h.credit(2, 1, Long.MAX_VALUE);
        h.subscribe(2, 2, StreamFilter.all());
        h.credit(2, 2, 1);
        h.credit(2, 2, Long.MAX_VALUE);
        h.joined(2, "g");
        for (int i = 0; i < 50; i++) {
            h.send(1, "g", "m" + i);
        }
        assertThat(h.texts(2)).hasSize(50);
        assertThat(h.events(2, 2)).hasSize(51); // its join view and the 50 messages
        assertThat(h.engine.bufferedBytes(2)).isZero();
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void nonPositiveCreditIsAProtocolViolation() {
        for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
            EngineHarness h = setup();
            h.subscribe(2, 1, StreamFilter.all());
            h.joined(2, "g");
            List<Output> out = h.credit(2, 1, bad);
            Output.CloseSession close = (Output.CloseSession) out.get(0);
            assertThat(close.sessionId()).isEqualTo(2);
            assertThat(close.code()).as("credit %d", bad).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(h.engine.sessionCount()).isEqualTo(1);
            ViewEvent atA = h.lastView(1, "g");
            assertThat(atA.cause()).isEqualTo(ViewCause.DISCONNECT);
            assertThat(atA.changed()).containsExactly("#b#localhost");
        }
    }

    @Test
    void creditForAnUnknownStreamIsIgnored() {
        EngineHarness h = setup();
        assertThat(h.credit(2, 99, 5)).isEmpty();
        assertThat(h.engine.sessionCount()).isEqualTo(2);
    }

    @Test
    void reusingAnOpenStreamIdIsAProtocolViolation() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        List<Output> out = h.subscribe(2, 1, StreamFilter.all());
        assertThat(((Output.CloseSession) out.get(0)).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        // but a cancelled id may be used again
        EngineHarness h2 = setup();
        h2.subscribe(2, 1, StreamFilter.all());
        h2.cancel(2, 1);
        assertThat(h2.subscribe(2, 1, StreamFilter.all())).isEmpty();
    }

    @Test
    void aStreamFilterNamingAnInvalidGroupIsRefused() {
        EngineHarness h = setup();
        List<Output> out = h.subscribe(2, 1, new StreamFilter("bad#group", true, true));
        assertThat(((Output.CloseSession) out.get(0)).code()).isEqualTo(ErrorCode.INVALID_GROUP_NAME);
    }

    @Test
    void nothingIsDeliveredBeforeTheFirstCredit() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        h.joined(2, "g");
        h.send(1, "g", "x");
        assertThat(h.events(2)).isEmpty();
        h.credit(2, 1, 10);
        assertThat(h.events(2)).hasSize(2);
    }

    @Test
    void cancelFreesTheStreamsBufferedBytesAndLeavesOtherStreamsAlone() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        h.credit(2, 1, Long.MAX_VALUE);
        h.subscribe(2, 2, StreamFilter.all());
        h.subscribe(2, 3, StreamFilter.all());
        h.joined(2, "g");
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[5000]);
        long both = h.engine.bufferedBytes(2);
        assertThat(both).isGreaterThan(10_000);

        h.cancel(2, 2);
        long one = h.engine.bufferedBytes(2);
        assertThat(one).isEqualTo(both / 2);
        h.cancel(2, 3);
        assertThat(h.engine.bufferedBytes(2)).isZero();
        assertThat(h.engine.totalBufferedBytes()).isZero();

        // a cancelled stream gets nothing more, the session and its other stream live on
        h.credit(2, 2, 10);
        h.send(1, "g", "after");
        assertThat(h.events(2, 2)).isEmpty();
        assertThat(h.texts(2)).hasSize(2);
        assertThat(h.cancel(2, 77)).isEmpty(); // an unknown id is no error: a cancel may cross a close
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void anUnwritableConnectionHoldsEventsAndReleasesThemInOrder() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        h.credit(2, 1, Long.MAX_VALUE);
        h.joined(2, "g");
        int before = h.events(2).size();

        h.writable(2, false);
        h.send(1, "g", "x1");
        h.send(1, "g", "x2");
        h.credit(2, 1, 5);
        assertThat(h.events(2)).hasSize(before);
        assertThat(h.engine.bufferedBytes(2)).isPositive();

        List<Output> out = h.writable(2, true);
        assertThat(out).hasSize(2);
        assertThat(h.texts(2)).containsExactly("x1", "x2");
        assertThat(h.engine.bufferedBytes(2)).isZero();
        // only b was held: a received its own messages straight away
        assertThat(h.texts(1)).containsExactly("x1", "x2");
    }

    @Test
    void creditDeliveriesGoToTheirOwnStreamOnly() {
        EngineHarness h = setup();
        h.subscribe(2, 1, StreamFilter.all());
        h.subscribe(2, 2, StreamFilter.all());
        h.joined(2, "g");
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, bytes("x"));
        List<Output> out = h.credit(2, 2, 10);
        assertThat(out).hasSize(2).allMatch(o -> ((Output.Deliver) o).streamId() == 2);
        assertThat(h.events(2, 1)).isEmpty();
    }
}
