package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Join and leave, views with their causes and ids, the self-leave rule, clean and lost disconnects. */
class MembershipTest {
    static final String A = "#a#localhost";
    static final String B = "#b#localhost";
    static final String C = "#c#localhost";

    private static EngineHarness threeSessions() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.connectReading(3, "c");
        return h;
    }

    @Test
    void joinGivesEveryMemberAJoinViewWithTheSameMembersInTheSameOrder() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(2, "g");
        h.joined(3, "g");

        ViewEvent atA = h.lastView(1, "g");
        ViewEvent atB = h.lastView(2, "g");
        ViewEvent atC = h.lastView(3, "g");
        assertThat(atA.cause()).isEqualTo(ViewCause.JOIN);
        assertThat(atA.members()).containsExactly(A, B, C);
        assertThat(atA.changed()).containsExactly(C);
        assertThat(atA.selfLeave()).isFalse();
        assertThat(atB).isEqualTo(atA);
        assertThat(atC).isEqualTo(atA);

        // a's first view: itself alone
        ViewEvent first = h.views(1, "g").get(0);
        assertThat(first.members()).containsExactly(A);
        assertThat(first.changed()).containsExactly(A);
        assertThat(h.views(1, "g")).hasSize(3);
        assertThat(h.views(3, "g")).hasSize(1);
        assertThat(h.engine.members("g")).containsExactly(A, B, C);
    }

    @Test
    void joinRequestCompletesAfterTheViewIsDelivered() {
        EngineHarness h = threeSessions();
        int id = h.nextRequestId();
        List<Output> out = h.join(1, "g");
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(Output.Deliver.class);
        assertThat(out.get(1)).isEqualTo(new Output.RequestDone(1, id));
    }

    @Test
    void everyGroupChangeHasANewViewIdSeenAlikeByAllMembers() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(2, "g");
        h.joined(3, "g");
        h.leave(2, "g");
        h.joined(2, "g");
        h.disconnect(3, false);

        List<ViewEvent> atA = h.views(1, "g");
        assertThat(atA).hasSize(6);
        Set<ViewId> ids = new HashSet<>();
        ViewId previous = null;
        for (ViewEvent v : atA) {
            assertThat(ids.add(v.id())).as("view id %s is new", v.id()).isTrue();
            if (previous != null) {
                assertThat(v.id()).isGreaterThan(previous);
            }
            previous = v.id();
        }
        // b sees the views it installs with the same ids and members as a
        for (ViewEvent v : h.views(2, "g")) {
            if (!v.selfLeave()) {
                assertThat(atA).contains(v);
            }
        }
        assertThat(atA.get(5).members()).containsExactly(A, B);
    }

    @Test
    void viewIdsOfOneGroupNeverRepeatAcrossRejoin() {
        EngineHarness h = threeSessions();
        List<ViewId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            h.joined(1, "g");
            ids.add(h.lastView(1, "g").id());
            h.leave(1, "g");
            ids.add(h.lastView(1, "g").id());
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void leaveGivesOthersALeaveView() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(2, "g");
        h.joined(3, "g");
        int id = h.nextRequestId();
        List<Output> out = h.leave(2, "g");
        assertThat(out).contains(new Output.RequestDone(2, id));

        ViewEvent atA = h.lastView(1, "g");
        assertThat(atA.cause()).isEqualTo(ViewCause.LEAVE);
        assertThat(atA.members()).containsExactly(A, C);
        assertThat(atA.changed()).containsExactly(B);
        assertThat(atA.selfLeave()).isFalse();
        assertThat(h.lastView(3, "g")).isEqualTo(atA);
        assertThat(h.engine.members("g")).containsExactly(A, C);
    }

    @Test
    void selfLeaveIsTheLeaversLastEventOfTheGroup() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(2, "g");
        h.joined(2, "other");
        h.leave(2, "g");

        ViewEvent last = h.lastView(2, "g");
        assertThat(last.cause()).isEqualTo(ViewCause.LEAVE);
        assertThat(last.selfLeave()).isTrue();
        assertThat(last.members()).isEmpty();
        assertThat(last.changed()).containsExactly(B);
        assertThat(last.id()).isEqualTo(h.lastView(1, "g").id());

        int before = h.events(2).size();
        // everything that happens in g afterwards stays away from b
        h.send(1, "g", "after");
        h.joined(3, "g");
        h.leave(3, "g");
        h.disconnect(1, false);
        // even a message to g and to a group b is in arrives only through "other", never as g's
        h.joined(3, "other");
        h.send(3, List.of("g", "other"), ServiceLevel.AGREED, false, 0, EngineHarness.bytes("both"));

        List<Event> after = h.events(2).subList(before, h.events(2).size());
        assertThat(after).noneMatch(e -> e instanceof ViewEvent v && v.group().equals("g"));
        assertThat(after).noneMatch(e -> e instanceof MessageEvent m && EngineHarness.text(m).equals("after"));
        assertThat(h.views(2, "g")).hasSize(2); // its own join, then its own leave
        assertThat(h.texts(2)).containsExactly("both");
    }

    @Test
    void selfLeaveReachesAGroupStreamAndEndsIt() {
        EngineHarness h = threeSessions();
        h.subscribe(2, 5, new StreamFilter("g", true, true));
        h.credit(2, 5, 100);
        h.joined(1, "g");
        h.joined(2, "g");
        h.send(1, "g", "m1");
        h.leave(2, "g");
        h.send(1, "g", "m2");
        h.joined(3, "g");

        List<Event> stream = h.events(2, 5);
        assertThat(stream).hasSize(3);
        assertThat(stream.get(0)).isInstanceOf(ViewEvent.class);
        assertThat(EngineHarness.text(stream.get(1))).isEqualTo("m1");
        assertThat(((ViewEvent) stream.get(2)).selfLeave()).isTrue();
    }

    @Test
    void leavingAGroupYouAreNotInFailsWithNotAMember() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        int id = h.nextRequestId();
        List<Output> out = h.leave(2, "g");
        assertThat(out).hasSize(1);
        Output.RequestFailed f = (Output.RequestFailed) out.get(0);
        assertThat(f.sessionId()).isEqualTo(2);
        assertThat(f.requestId()).isEqualTo(id);
        assertThat(f.code()).isEqualTo(ErrorCode.NOT_A_MEMBER);
        // nobody saw a view, the session stays
        assertThat(h.views(1, "g")).hasSize(1);
        assertThat(h.closes()).isEmpty();

        // a group that does not exist at all
        assertThat(((Output.RequestFailed) h.leave(2, "nowhere").get(0)).code()).isEqualTo(ErrorCode.NOT_A_MEMBER);
    }

    @Test
    void invalidGroupNamesAreRefusedOnJoinAndLeave() {
        EngineHarness h = threeSessions();
        for (String bad : List.of("", "a#b", "#a#localhost", "sp ace", "x".repeat(33), "caf\u00e9")) {
            List<Output> out = h.join(1, bad);
            assertThat(out).as("join '%s'", bad).hasSize(1);
            assertThat(((Output.RequestFailed) out.get(0)).code()).isEqualTo(ErrorCode.INVALID_GROUP_NAME);
            assertThat(((Output.RequestFailed) h.leave(1, bad).get(0)).code()).isEqualTo(ErrorCode.INVALID_GROUP_NAME);
        }
        h.joined(1, "x".repeat(32));
        assertThat(h.engine.groupCount()).isEqualTo(1);
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void cleanDisconnectShowsAsLeaveLostConnectionAsDisconnect() {
        EngineHarness h = threeSessions();
        for (long s = 1; s <= 3; s++) {
            h.joined(s, "g");
        }
        h.joined(2, "h");
        h.joined(1, "h");

        h.disconnect(2, true);
        ViewEvent g1 = h.lastView(1, "g");
        assertThat(g1.cause()).isEqualTo(ViewCause.LEAVE);
        assertThat(g1.changed()).containsExactly(B);
        assertThat(g1.members()).containsExactly(A, C);
        assertThat(g1.selfLeave()).isFalse();
        ViewEvent h1 = h.lastView(1, "h");
        assertThat(h1.cause()).isEqualTo(ViewCause.LEAVE);
        assertThat(h1.members()).containsExactly(A);

        h.disconnect(3, false);
        ViewEvent g2 = h.lastView(1, "g");
        assertThat(g2.cause()).isEqualTo(ViewCause.DISCONNECT);
        assertThat(g2.changed()).containsExactly(C);
        assertThat(g2.members()).containsExactly(A);

        // the engine says nothing more to sessions that are gone
        assertThat(h.outputsOf(2).get(h.outputsOf(2).size() - 1)).isInstanceOf(Output.Deliver.class);
        assertThat(h.log().subList(h.log().size() - 1, h.log().size())).allMatch(o -> EngineHarness.sessionOf(o) == 1);
        assertThat(h.engine.sessionCount()).isEqualTo(1);
        assertThat(h.engine.members("h")).containsExactly(A);
    }

    @Test
    void lastMemberLeavingDropsTheGroup() {
        EngineHarness h = threeSessions();
        h.joined(1, "g");
        h.joined(1, "h");
        assertThat(h.engine.groupCount()).isEqualTo(2);
        h.leave(1, "g");
        assertThat(h.engine.groupCount()).isEqualTo(1);
        h.disconnect(1, false);
        assertThat(h.engine.groupCount()).isZero();
        assertThat(h.engine.members("h")).isEmpty();
    }
}
