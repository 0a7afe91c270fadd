package io.consort.core.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ViewId;
import io.consort.core.ring.AgreedItem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The group exchange: every daemon rebuilds the same views; vs-sets hold only who went through the same changes. */
class GroupExchangeTest {
    private final GroupExchange x1 = new GroupExchange(1, "d1", 7);
    private final GroupExchange x2 = new GroupExchange(2, "d2", 7);
    private final GroupTable t1 = new GroupTable();
    private final GroupTable t2 = new GroupTable();

    /** Runs one exchange of configuration {@code config} between the two daemons; returns each one's result. */
    private List<GroupExchange.Result> exchange(long config, long seq) {
        AgreedItem.GroupState s1 = x1.begin(config, List.of(1, 2), t1);
        AgreedItem.GroupState s2 = x2.begin(config, List.of(1, 2), t2);
        assertThat(x1.offer(s1)).isFalse();
        assertThat(x1.offer(s2)).isTrue();
        assertThat(x2.offer(s2)).isFalse();
        assertThat(x2.offer(s1)).isTrue();
        return List.of(x1.complete(t1, new ViewId(config, seq)), x2.complete(t2, new ViewId(config, seq)));
    }

    @Test
    void bothDaemonsInstallTheSameMembersInTheSameOrder() {
        t1.join("g", "#a#d1", new ViewId(5, 1));
        t2.join("g", "#b#d2", new ViewId(6, 1));
        t2.join("g", "#c#d2", new ViewId(6, 2));
        List<GroupExchange.Result> r = exchange(9, 3);
        for (GroupExchange.Result res : r) {
            assertThat(res.views()).hasSize(1);
            assertThat(res.views().get(0).members()).containsExactly("#a#d1", "#b#d2", "#c#d2");
        }
        assertThat(t1.group("g").members()).isEqualTo(t2.group("g").members());
        // Each came from its own partition: a vs-set of its own daemon's members.
        assertThat(r.get(0).views().get(0).vsSetOf("#a#d1")).containsExactly("#a#d1");
        assertThat(r.get(1).views().get(0).vsSetOf("#b#d2")).containsExactly("#b#d2", "#c#d2");
    }

    @Test
    void membersThatMovedTogetherShareTheirVsSet() {
        t1.join("g", "#a#d1", new ViewId(5, 1));
        t2.join("g", "#b#d2", new ViewId(6, 1));
        exchange(9, 3); // now both hold view 9.3 and the same lineage
        x1.transition(9, 10);
        x2.transition(9, 10);
        List<GroupExchange.Result> r = exchange(10, 1);
        assertThat(r.get(0).views().get(0).vsSetOf("#a#d1")).containsExactly("#a#d1", "#b#d2");
        assertThat(r.get(1).views().get(0).vsSetOf("#b#d2")).containsExactly("#a#d1", "#b#d2");
    }

    @Test
    void aReportOfAnEndedConfigurationIsIgnored() {
        AgreedItem.GroupState old = x2.begin(9, List.of(1, 2), t2);
        x1.begin(9, List.of(1, 2), t1);
        x1.transition(9, 10);
        assertThat(x1.offer(old)).isFalse();
    }
}
