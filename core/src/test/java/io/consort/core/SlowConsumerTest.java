package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig.SlowConsumerPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A session that does not read never grows the daemon's memory past its bound. */
class SlowConsumerTest {
    static final String SLOW = "#slow#localhost";

    @Test
    void disconnectPolicyClosesTheSlowSessionAndTheOthersLoseNothing() {
        long bound = 64 * 1024;
        EngineHarness h = new EngineHarness(EngineConfig.defaults().withSessionBufferBytesMax(bound));
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.connect(3, "slow");
        h.subscribe(3, 1, StreamFilter.all()); // never grants a credit
        h.joined(1, "g");
        h.joined(2, "g");
        h.joined(3, "g");

        List<String> sent = new ArrayList<>();
        long maxBuffered = 0;
        for (int i = 0; i < 400; i++) {
            long sender = i % 2 == 0 ? 1 : 2;
            assertThat(h.sendCredits(sender)).as("send credits of %d", sender).isPositive();
            String text = "m" + i + "-" + "x".repeat(1000);
            h.send(sender, "g", text);
            sent.add(text);
            maxBuffered = Math.max(maxBuffered, h.engine.totalBufferedBytes());
        }

        List<Output.CloseSession> closes = h.closes();
        assertThat(closes).hasSize(1);
        assertThat(closes.get(0).sessionId()).isEqualTo(3);
        assertThat(closes.get(0).code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
        assertThat(closes.get(0).reason()).contains(SLOW).contains(Long.toString(bound));
        assertThat(maxBuffered).isLessThanOrEqualTo(bound + 2000);
        assertThat(h.engine.totalBufferedBytes()).isZero();
        assertThat(h.engine.sessionCount()).isEqualTo(2);
        assertThat(h.engine.members("g")).containsExactly("#a#localhost", "#b#localhost");

        // both readers got every message, in the same order, and the same DISCONNECT view at the same place
        assertThat(h.texts(1)).isEqualTo(sent);
        assertThat(h.texts(2)).isEqualTo(sent);
        assertThat(h.events(1).subList(2, h.events(1).size()))
                .isEqualTo(h.events(2).subList(1, h.events(2).size()));
        ViewEvent v = h.lastView(1, "g");
        assertThat(v.cause()).isEqualTo(ViewCause.DISCONNECT);
        assertThat(v.changed()).containsExactly(SLOW);
        assertThat(h.failures(1)).isEmpty();
        assertThat(h.failures(2)).isEmpty();
        h.assertNothingAfterClose();
    }

    @Test
    void holdBackPolicyStopsSendCreditsWhileOverBoundAndResumesBelowHalf() {
        long bound = 8 * 1024;
        EngineConfig config = EngineConfig.defaults().withSessionBufferBytesMax(bound).withSendWindowMessages(4)
                .withSlowConsumerPolicy(SlowConsumerPolicy.HOLD_BACK_SENDERS);
        EngineHarness h = new EngineHarness(config);
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.connect(3, "slow");
        h.subscribe(3, 1, StreamFilter.all());
        h.joined(2, "g");
        h.joined(3, "g");

        // a floods until the daemon stops giving its credits back
        int sent = 0;
        while (h.sendCredits(1) > 0 && sent < 1000) {
            h.send(1, "g", "x".repeat(1000));
            sent++;
        }
        assertThat(h.engine.bufferedBytes(3)).isGreaterThan(bound);
        assertThat(sent).isLessThan(1000);
        int creditOutputs = h.sendCreditOutputs(1).size();
        // b, not over bound and not sending to the slow session, is held back as well
        List<Output> bOut = h.send(2, "other", "b");
        assertThat(bOut).noneMatch(Output.SendCredit.class::isInstance);
        assertThat(h.closes()).isEmpty();
        long boundWithWindow = bound + 4 * 1200L;
        assertThat(h.engine.totalBufferedBytes()).isLessThanOrEqualTo(boundWithWindow);

        // the slow reader drains one event at a time: nothing comes back until it is at or below half
        boolean resumed = false;
        while (!resumed) {
            long before = h.engine.bufferedBytes(3);
            assertThat(before).as("slow session still has something to drain").isPositive();
            List<Output> out = h.credit(3, 1, 1);
            resumed = out.stream().anyMatch(Output.SendCredit.class::isInstance);
            if (resumed) {
                assertThat(h.engine.bufferedBytes(3)).isLessThanOrEqualTo(bound / 2);
                assertThat(out).contains(new Output.SendCredit(1, 4), new Output.SendCredit(2, 1));
            } else {
                assertThat(h.engine.bufferedBytes(3)).isGreaterThan(bound / 2);
            }
        }
        assertThat(h.sendCreditOutputs(1)).hasSize(creditOutputs + 1);
        // a may send again
        assertThat(h.sendCredits(1)).isEqualTo(4);
        h.send(1, "g", "again");
        assertThat(h.texts(2)).hasSize(sent + 1).endsWith("again");
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void holdBackResumesWhenTheSlowSessionGoes() {
        EngineConfig config = EngineConfig.defaults().withSessionBufferBytesMax(1024).withSendWindowMessages(1)
                .withSlowConsumerPolicy(SlowConsumerPolicy.HOLD_BACK_SENDERS);
        EngineHarness h = new EngineHarness(config);
        h.connectReading(1, "a");
        h.connect(3, "slow");
        h.subscribe(3, 1, StreamFilter.all());
        h.joined(3, "g");
        assertThat(h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2000]))
                .noneMatch(Output.SendCredit.class::isInstance);
        assertThat(h.disconnect(3, false)).contains(new Output.SendCredit(1, 1));

        EngineHarness h2 = new EngineHarness(config);
        h2.connectReading(1, "a");
        h2.connect(3, "slow");
        h2.subscribe(3, 1, StreamFilter.all());
        h2.joined(3, "g");
        h2.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2000]);
        assertThat(h2.cancel(3, 1)).contains(new Output.SendCredit(1, 1));
    }

    @Test
    void aSenderClosedByItsOwnMessageGetsNoSendCreditAfterTheClose() {
        EngineHarness h = new EngineHarness(EngineConfig.defaults().withSessionBufferBytesMax(1024));
        h.connectReading(2, "b");
        h.connect(1, "a");
        h.subscribe(1, 1, StreamFilter.all()); // a never reads
        h.joined(1, "g");
        h.joined(2, "g");
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[2000]);

        assertThat(h.closes()).singleElement().satisfies(c -> {
            assertThat(c.sessionId()).isEqualTo(1);
            assertThat(c.code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
        });
        assertThat(h.messages(2)).hasSize(1);
        assertThat(h.lastView(2, "g").cause()).isEqualTo(ViewCause.DISCONNECT);
        h.assertNothingAfterClose();
    }

    @Test
    void aLeaverClosedByItsOwnLeaveViewGetsNoRequestDoneAfterTheClose() {
        EngineHarness h = new EngineHarness(EngineConfig.defaults().withSessionBufferBytesMax(1024));
        h.connectReading(1, "a");
        h.connect(2, "b");
        h.subscribe(2, 1, StreamFilter.all()); // b never reads
        h.joined(2, "g"); // a view of 176 bytes waits at b
        h.send(1, List.of("g"), ServiceLevel.AGREED, false, 0, new byte[700]); // 816 more: 992 <= 1024
        assertThat(h.closes()).isEmpty();
        h.leave(2, "g"); // its 136-byte self-leave view tips it over

        assertThat(h.closes()).singleElement().satisfies(c -> {
            assertThat(c.sessionId()).isEqualTo(2);
            assertThat(c.code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
        });
        h.assertNothingAfterClose();
    }

    @Test
    void holdingBackStopsMulticastsButJoinAndLeaveChurnStillCannotGrowASessionWithoutLimit() {
        // Joins and leaves take no send credit, so withholding credits cannot stop them; the hard cap can.
        EngineConfig config = EngineConfig.defaults().withSessionBufferBytesMax(4096).withMaxMessageBytes(1024)
                .withSlowConsumerPolicy(SlowConsumerPolicy.HOLD_BACK_SENDERS);
        EngineHarness h = new EngineHarness(config);
        h.connectReading(1, "churner");
        h.connect(2, "slow");
        h.subscribe(2, 1, StreamFilter.all()); // never grants a credit
        h.joined(2, "g");
        long hardCap = 2 * config.sessionBufferBytesMax() + config.maxMessageBytes();
        for (int i = 0; i < 1000 && h.closes().isEmpty(); i++) {
            h.join(1, "g");
            h.leave(1, "g");
            assertThat(h.engine.bufferedBytes(2)).isLessThanOrEqualTo(hardCap);
        }
        assertThat(h.closes()).singleElement().satisfies(c -> {
            assertThat(c.sessionId()).isEqualTo(2);
            assertThat(c.code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
        });
        assertThat(h.engine.totalBufferedBytes()).isZero();
        h.assertNothingAfterClose();
    }
}
