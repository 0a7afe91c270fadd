package io.consort.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.wire.MessagePacket;
import org.junit.jupiter.api.Test;

/** The message store: aru over what is held without a gap, duplicates refused, discards bounded by the aru. */
class MessageStoreTest {
    private static MessageStore.Stored msg(long seq) {
        MessagePacket p = new MessagePacket(1, 1025, seq, MessagePacket.KIND_ITEM, false, new byte[] {1});
        return new MessageStore.Stored(p, null, p.encode());
    }

    @Test
    void aruStopsAtTheFirstHoleAndMovesWhenItFills() {
        MessageStore s = new MessageStore(1025, 0);
        assertThat(s.add(msg(1))).isTrue();
        s.add(msg(3));
        assertThat(s.aru()).isEqualTo(1);
        assertThat(s.highSeq()).isEqualTo(3);
        assertThat(s.has(2)).isFalse();
        s.add(msg(2));
        assertThat(s.aru()).isEqualTo(3);
        assertThat(s.add(msg(2))).as("a duplicate").isFalse();
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void discardingStopsAtTheAruAndDiscardedSeqsCountAsHeld() {
        MessageStore s = new MessageStore(1025, 0);
        s.add(msg(1));
        s.add(msg(2));
        s.add(msg(4));
        s.discardUpTo(4);
        assertThat(s.discardedUpTo()).as("3 is missing: nothing above the aru goes").isEqualTo(2);
        assertThat(s.get(1)).isNull();
        assertThat(s.has(1)).isTrue();
        assertThat(s.add(msg(1))).as("a late retransmission of a discarded one").isFalse();
        assertThat(s.get(4)).isNotNull();
    }

    @Test
    void sequenceNumbersWrapAroundAndFarAheadMessagesAreKept() {
        long start = Long.MAX_VALUE - 1;
        MessageStore s = new MessageStore(1025, start);
        s.add(msg(start + 1));
        s.add(msg(start + 2)); // wraps to Long.MIN_VALUE
        assertThat(s.aru()).isEqualTo(Long.MIN_VALUE);
        s.add(msg(start + 100_000));
        assertThat(s.get(start + 100_000)).isNotNull();
        assertThat(s.highSeq()).isEqualTo(start + 100_000);
    }
}
