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
        AgreedItem.GroupState s1 = only(x1.begin(config, List.of(1, 2), t1));
        AgreedItem.GroupState s2 = only(x2.begin(config, List.of(1, 2), t2));
        assertThat(x1.offer(s1)).isFalse();
        assertThat(x1.offer(s2)).isTrue();
        assertThat(x2.offer(s2)).isFalse();
        assertThat(x2.offer(s1)).isTrue();
        return List.of(x1.complete(t1, new ViewId(config, seq)), x2.complete(t2, new ViewId(config, seq)));
    }

    private static AgreedItem.GroupState only(List<AgreedItem.GroupState> parts) {
        assertThat(parts).hasSize(1);
        return parts.get(0);
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
        AgreedItem.GroupState old = only(x2.begin(9, List.of(1, 2), t2));
        x1.begin(9, List.of(1, 2), t1);
        x1.transition(9, 10);
        assertThat(x1.offer(old)).isFalse();
    }

    @Test
    void aLargeReportTravelsInDatagramSizedPartsAndRebuildsTheSameTable() {
        GroupExchange a = new GroupExchange(1, "d1", 7, 456);
        GroupExchange b = new GroupExchange(2, "d2", 7, 456);
        for (int i = 0; i < 2000; i++) {
            t1.join("g" + i, "#a#d1", new ViewId(5, i));
            t2.join("g" + i, "#b#d2", new ViewId(6, i));
        }
        for (int m = 0; m < 300; m++) { // one group far larger than a part
            t2.join("big", "#m" + m + "#d2", new ViewId(6, 5000 + m));
        }
        List<AgreedItem.GroupState> pa = a.begin(9, List.of(1, 2), t1);
        List<AgreedItem.GroupState> pb = b.begin(9, List.of(1, 2), t2);
        assertThat(pa.size()).isGreaterThan(20);
        for (List<AgreedItem.GroupState> parts : List.of(pa, pb)) {
            for (int i = 0; i < parts.size(); i++) {
                assertThat(parts.get(i).part()).isEqualTo(i);
                assertThat(parts.get(i).last()).isEqualTo(i == parts.size() - 1);
                byte[] encoded = io.consort.core.ring.ItemCodec.encode(parts.get(i));
                assertThat(encoded.length).isLessThanOrEqualTo(456);
                assertThat(io.consort.core.ring.ItemCodec.decode(encoded)).isEqualTo(parts.get(i));
            }
        }
        boolean doneA = false;
        boolean doneB = false;
        // Interleaved in one agreed order, as the ring delivers them.
        for (int i = 0; i < Math.max(pa.size(), pb.size()); i++) {
            for (List<AgreedItem.GroupState> parts : List.of(pb, pa)) {
                if (i < parts.size()) {
                    assertThat(doneA).isFalse();
                    doneA = a.offer(parts.get(i));
                    doneB = b.offer(parts.get(i));
                }
            }
        }
        assertThat(doneA).isTrue();
        assertThat(doneB).isTrue();
        GroupExchange.Result ra = a.complete(t1, new ViewId(9, 1));
        GroupExchange.Result rb = b.complete(t2, new ViewId(9, 1));
        assertThat(ra.views()).hasSize(2001);
        assertThat(t1.names()).isEqualTo(t2.names());
        assertThat(t1.group("big").members()).hasSize(300).isEqualTo(t2.group("big").members());
        assertThat(t1.group("g1999").members()).containsExactly("#a#d1", "#b#d2");
        assertThat(rb.views().get(0).group()).isEqualTo("big");
        assertThat(rb.views().get(0).vsSetOf("#m0#d2")).hasSize(300);
    }

    @Test
    void aPartOutOfOrderIsIgnored() {
        GroupExchange a = new GroupExchange(1, "d1", 7, 456);
        for (int i = 0; i < 200; i++) {
            t1.join("g" + i, "#a#d1", new ViewId(5, i));
        }
        List<AgreedItem.GroupState> parts = a.begin(9, List.of(1), t1);
        assertThat(parts.size()).isGreaterThan(2);
        assertThat(a.offer(parts.get(1))).isFalse();
        for (int i = 0; i < parts.size() - 1; i++) {
            assertThat(a.offer(parts.get(i))).isFalse();
        }
        assertThat(a.offer(parts.get(parts.size() - 1))).isTrue();
        assertThat(a.complete(t1, new ViewId(9, 1)).views()).hasSize(200);
    }
}
