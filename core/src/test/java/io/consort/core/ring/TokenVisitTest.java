package io.consort.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.core.wire.TokenPacket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A token visit as a function: what it sends, in which order around the token, and the token it passes on. */
class TokenVisitTest {
    private static final long RING = RingId.of(3, 1);

    private static TokenPacket token(long seq, long aru, int fcc, long... rtr) {
        return new TokenPacket(2, RING, 5, seq, aru, -1, fcc, 0, false, new long[] {aru, aru}, new boolean[2], rtr,
                List.of(), List.of());
    }

    private static Outbox outbox(int items) {
        Outbox o = new Outbox();
        for (int i = 0; i < items; i++) {
            o.submit(new AgreedItem.Data("#a#d1", List.of("g"), ServiceLevel.AGREED, 0, false, new byte[] {(byte) i}));
        }
        o.open();
        return o;
    }

    @Test
    void theHolderSendsWithinItsPersonalWindowTheLastOnesAfterTheToken() {
        RingState r = new RingState(RING, List.of(1, 2), 1, 0);
        Outbox o = outbox(3);
        TokenVisit.Result v = TokenVisit.visit(token(0, 0, 0), r, o, false, new FlowControl(10, 2, 1), 1, List.of());
        assertThat(v.next().seq()).isEqualTo(2);
        assertThat(v.next().stamp()).isEqualTo(6);
        assertThat(v.next().fcc()).isEqualTo(2);
        assertThat(v.next().backlog()).as("one item still waits here").isEqualTo(1);
        assertThat(v.beforeToken()).hasSize(1);
        assertThat(v.afterToken()).as("accelerated ring").hasSize(1);
        assertThat(r.store.aru()).isEqualTo(2);
        assertThat(v.next().memberArus()).containsExactly(2, 0);
        assertThat(r.knownSafe).as("the other member holds nothing yet").isZero();
    }

    @Test
    void aRequestedMessageIsRetransmittedAndCountsAgainstTheWindow() {
        RingState r = new RingState(RING, List.of(1, 2), 1, 0);
        TokenVisit.visit(token(0, 0, 0), r, outbox(1), false, new FlowControl(10, 5, 0), 1, List.of());
        Outbox more = outbox(5);
        TokenVisit.Result v = TokenVisit.visit(token(1, 0, 1, 1), r, more, false, new FlowControl(3, 5, 0), 1,
                List.of());
        assertThat(v.beforeToken().get(0)).isSameAs(r.store.get(1).raw());
        // Global window 3: one retransmission, nothing of the others' last rotation, so two new ones.
        assertThat(v.next().seq()).isEqualTo(3);
        assertThat(v.next().fcc()).isEqualTo(3);
        assertThat(v.next().rtr()).isEmpty();
    }

    @Test
    void whatThisDaemonMissesIsAskedForOnTheToken() {
        RingState r = new RingState(RING, List.of(1, 2), 1, 0);
        TokenVisit.Result v = TokenVisit.visit(token(3, 0, 0), r, new Outbox(), false, new FlowControl(10, 5, 0), 1,
                List.of());
        assertThat(v.next().rtr()).containsExactly(1, 2, 3);
        assertThat(v.next().aru()).isZero();
        assertThat(v.afterToken()).isEmpty();
    }
}
