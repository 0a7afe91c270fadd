package io.consort.core.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.wire.JoinPacket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gather state: join sets merge until every member sent the same sets; rounds keep old verdicts out. */
class GatherTest {
    @Test
    void twoDaemonsThatHearEachOtherReachConsensusOnBoth() {
        Gather a = new Gather(1, List.of(1), 5);
        Gather b = new Gather(2, List.of(2), 5);
        assertThat(a.consensus()).as("alone, a daemon agrees with itself").isTrue();
        assertThat(a.onJoin(b.join(0))).as("a learns of b").isTrue();
        assertThat(a.consensus()).as("b has not sent a's sets yet").isFalse();
        b.onJoin(a.join(0));
        a.onJoin(b.join(0));
        assertThat(a.consensus()).isTrue();
        assertThat(a.members()).containsExactly(1, 2);
        b.onJoin(a.join(0));
        assertThat(b.consensus()).isTrue();
        assertThat(b.members()).containsExactly(1, 2);
    }

    @Test
    void aPeerThatCountsThisDaemonFailedIsCountedFailedInReturn() {
        Gather a = new Gather(1, List.of(1), 5);
        a.onJoin(new JoinPacket(2, 5, 0, List.of(1, 2), List.of(1)));
        assertThat(a.failSet()).containsExactly(2);
        assertThat(a.members()).containsExactly(1);
    }

    @Test
    void aNewerRoundClearsStaleFailuresAndAnOlderOneOnlyShowsItsSenderAlive() {
        Gather a = new Gather(1, List.of(1, 3), 5);
        a.failUnresponsive(); // 3 sent nothing
        assertThat(a.failSet()).containsExactly(3);
        a.onJoin(new JoinPacket(2, 4, 0, List.of(2, 4), List.of()));
        assertThat(a.procSet()).as("older round: its sender is alive, its sets are not taken").containsExactly(1, 2, 3);
        assertThat(a.round()).isEqualTo(5);
        a.onJoin(new JoinPacket(2, 6, 0, List.of(1, 2, 3), List.of()));
        assertThat(a.round()).isEqualTo(6);
        assertThat(a.failSet()).as("failures of round 5 are stale in round 6").isEmpty();
    }

    @Test
    void theConsensusTimeoutFailsOnlyMembersThatSentNoJoin() {
        Gather a = new Gather(1, List.of(1, 2, 3), 5);
        a.onJoin(new JoinPacket(2, 5, 0, List.of(1, 2), List.of()));
        a.failUnresponsive();
        assertThat(a.failSet()).containsExactly(3);
        assertThat(a.departed(2)).as("a graceful leaver is failed at once").isTrue();
        assertThat(a.members()).containsExactly(1);
    }
}
