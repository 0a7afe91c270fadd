package io.consort.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client session: credits per stream, buffered bytes, send credits returned only once told. */
class ClientSessionTest {
    private final List<Output> out = new ArrayList<>();
    private final ClientSession s = new ClientSession(1, "#a#d1", 2);

    private static MessageEvent msg(long seq) {
        return new MessageEvent(seq, "#b#d1", List.of("g"), ServiceLevel.AGREED, 0, new byte[10]);
    }

    @Test
    void aStreamWithoutCreditsBuffersAndAnotherStreamIsNotHeldBack() {
        s.subscribe(1, StreamFilter.all());
        s.subscribe(2, StreamFilter.all());
        s.credit(2, 5, out::add);
        MessageEvent m = msg(1);
        s.enqueue(m, List.of("g"), out::add);
        assertThat(out).as("only the stream with credits gets it at once").containsExactly(new Output.Deliver(1, 2, m));
        assertThat(s.bufferedBytes()).isEqualTo(m.sizeBytes());
        s.checkInvariants();
        s.credit(1, 1, out::add);
        assertThat(out).hasSize(2);
        assertThat(((Output.Deliver) out.get(1)).streamId()).isEqualTo(1);
        assertThat(s.bufferedBytes()).isZero();
        s.checkInvariants();
    }

    @Test
    void aBlockedConnectionBuffersUntilWritable() {
        s.subscribe(1, StreamFilter.all());
        s.credit(1, 10, out::add);
        s.writable(false, out::add);
        s.enqueue(msg(1), List.of("g"), out::add);
        s.enqueue(msg(2), List.of("g"), out::add);
        assertThat(out).isEmpty();
        s.writable(true, out::add);
        assertThat(out).extracting(o -> ((MessageEvent) ((Output.Deliver) o).event()).sequence()).containsExactly(1L, 2L);
    }

    @Test
    void sendCreditsComeBackOnlyOnceToldToTheClient() {
        s.takeSendCredit();
        s.submittedMulticast(100);
        s.takeSendCredit();
        s.submittedMulticast(100);
        assertThatThrownBy(s::takeSendCredit).isInstanceOf(ConsortException.class)
                .satisfies(e -> assertThat(((ConsortException) e).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        assertThat(s.readingPausedChange(150)).as("200 unordered bytes are over a window of 150").isTrue();
        s.acceptedMulticast(100);
        assertThat(s.unorderedBytes()).isEqualTo(100);
        assertThat(s.readingPausedChange(150)).as("back under the window: reading resumes").isFalse();
        assertThat(s.readingPausedChange(150)).as("no change, nothing to say").isNull();
        assertThat(s.hasReturnedCredits()).isTrue();
        assertThatThrownBy(s::takeSendCredit).as("not spendable before the client is told").isInstanceOf(ConsortException.class);
        assertThat(s.takeReturnedCredits()).isEqualTo(1);
        s.takeSendCredit();
        s.checkInvariants();
    }
}
