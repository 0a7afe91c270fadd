package io.consort.core.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.wire.CommitPacket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recovery plan: computed from the commit token alike at every member of one old ring. */
class RecoveryPlanTest {
    private static final CommitPacket COMMIT = new CommitPacket(1, 9 << 10 | 1, 2, List.of(
            new CommitPacket.Slot(1, true, 100, 5, 9, 4),
            new CommitPacket.Slot(2, true, 200, 50, 60, 50),
            new CommitPacket.Slot(3, true, 100, 8, 10, 3)));

    @Test
    void membersOfOneOldRingGetTheSamePlan() {
        RecoveryPlan at1 = RecoveryPlan.of(COMMIT, 1, 100, 0);
        RecoveryPlan at3 = RecoveryPlan.of(COMMIT, 3, 100, 0);
        assertThat(at1).isEqualTo(at3);
        assertThat(at1.transitional()).as("daemon 2 came from another ring").containsExactly(1, 3);
        assertThat(at1.lowAru()).isEqualTo(5);
        assertThat(at1.maxAru()).isEqualTo(8);
        assertThat(at1.maxAruHolder()).as("the one holding most re-sends up to its aru").isEqualTo(3);
        assertThat(at1.highSeq()).isEqualTo(10);
        assertThat(at1.safeOld()).as("SAFE up to what any of them knew all held").isEqualTo(4);
    }

    @Test
    void aFreshDaemonRecoversNothing() {
        RecoveryPlan p = RecoveryPlan.of(COMMIT, 2, 0, 77);
        assertThat(p.transitional()).containsExactly(2);
        assertThat(List.of(p.lowAru(), p.maxAru(), p.highSeq(), p.safeOld())).containsOnly(77L);
    }

    @Test
    void aCommitTokenWithoutThisDaemonsOldRingIsRefused() {
        assertThatThrownBy(() -> RecoveryPlan.of(COMMIT, 1, 300, 0)).isInstanceOf(IllegalStateException.class);
    }
}
