package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.MessageEvent;
import io.consort.core.ServiceLevel;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import io.consort.core.ViewId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-made logs, each breaking one invariant, are caught by that invariant's rule and no other. */
class InvariantCheckerTest {
    private static final String A = "#a#d0";
    private static final String B = "#b#d1";
    private static final ViewId V1 = new ViewId(1024, 1);
    private static final ViewId V2 = new ViewId(1024, 2);
    private static final ViewId V3 = new ViewId(2048, 1);

    private final Map<Long, SessionLog.Message> sent = new HashMap<>();
    private final List<SessionLog> logs = new ArrayList<>();

    private SessionLog log(String name) {
        SessionLog l = new SessionLog(name, 0);
        logs.add(l);
        return l;
    }

    private void send(SessionLog from, long id, ServiceLevel level) {
        sent.put(id, new SessionLog.Message(id, from.name, List.of("g"), level, false));
        from.entries.add(new SessionLog.Sent(id));
    }

    private static void deliver(SessionLog to, SessionLog.Message m) {
        to.entries.add(new SessionLog.Delivered(m.id(), new MessageEvent(m.id(), m.sender(), m.groups(), m.level(), 0,
                new byte[8])));
    }

    private void deliver(SessionLog to, long id) {
        deliver(to, sent.get(id));
    }

    private static void view(SessionLog to, ViewId id, ViewCause cause, List<String> members, List<String> vs) {
        to.entries.add(new SessionLog.View(new ViewEvent("g", id, cause, members, List.of(), vs, false)));
    }

    private static void trans(SessionLog to, ViewId previous) {
        to.entries.add(new SessionLog.Transitional(new TransitionalEvent("g", previous)));
    }

    /** Both sessions in view V1 of g. */
    private SessionLog[] twoMembers() {
        SessionLog a = log(A);
        SessionLog b = log(B);
        view(a, V1, ViewCause.JOIN, List.of(A, B), List.of());
        view(b, V1, ViewCause.JOIN, List.of(A, B), List.of());
        return new SessionLog[] {a, b};
    }

    private List<InvariantChecker.Rule> rules() {
        return InvariantChecker.check(logs, sent).stream().map(InvariantChecker.Violation::rule).distinct().toList();
    }

    @Test
    void aCorrectRunHasNoViolation() {
        SessionLog[] s = twoMembers();
        send(s[0], 1, ServiceLevel.AGREED);
        send(s[1], 2, ServiceLevel.SAFE);
        for (SessionLog l : s) {
            deliver(l, 1);
            deliver(l, 2);
            view(l, V2, ViewCause.JOIN, List.of(A, B), List.of());
        }
        assertThat(rules()).isEmpty();
    }

    @Test
    void creationAndDuplication() {
        SessionLog[] s = twoMembers();
        deliver(s[0], new SessionLog.Message(99, B, List.of("g"), ServiceLevel.AGREED, false));
        assertThat(rules()).containsExactly(InvariantChecker.Rule.NO_CREATION_OR_DUPLICATION);
        logs.clear();
        sent.clear();
        s = twoMembers();
        send(s[0], 1, ServiceLevel.RELIABLE);
        deliver(s[0], 1);
        deliver(s[0], 1);
        assertThat(rules()).containsExactly(InvariantChecker.Rule.NO_CREATION_OR_DUPLICATION);
    }

    @Test
    void viewAgreement() {
        SessionLog a = log(A);
        SessionLog b = log(B);
        view(a, V1, ViewCause.JOIN, List.of(A, B), List.of());
        view(b, V1, ViewCause.JOIN, List.of(B, A), List.of());
        assertThat(rules()).containsExactly(InvariantChecker.Rule.VIEW_AGREEMENT);
    }

    @Test
    void networkViewNeedsATransitionalSignal() {
        SessionLog a = log(A);
        view(a, V1, ViewCause.JOIN, List.of(A), List.of());
        view(a, V3, ViewCause.NETWORK, List.of(A), List.of(A));
        assertThat(rules()).containsExactly(InvariantChecker.Rule.VIEW_AGREEMENT);
    }

    @Test
    void virtualSynchrony() {
        SessionLog[] s = twoMembers();
        send(s[0], 1, ServiceLevel.RELIABLE);
        deliver(s[0], 1);
        for (SessionLog l : s) {
            trans(l, V1);
            view(l, V3, ViewCause.NETWORK, List.of(A, B), List.of(A, B));
        }
        assertThat(rules()).containsExactly(InvariantChecker.Rule.VIRTUAL_SYNCHRONY);
    }

    @Test
    void totalOrder() {
        SessionLog[] s = twoMembers();
        send(s[0], 1, ServiceLevel.AGREED);
        send(s[1], 2, ServiceLevel.AGREED);
        deliver(s[0], 1);
        deliver(s[0], 2);
        deliver(s[1], 2);
        deliver(s[1], 1);
        assertThat(rules()).containsExactly(InvariantChecker.Rule.TOTAL_ORDER);
    }

    @Test
    void noGapInARegularView() {
        SessionLog[] s = twoMembers();
        SessionLog c = log("#c#d2");
        send(c, 1, ServiceLevel.AGREED);
        send(c, 2, ServiceLevel.AGREED);
        deliver(s[0], 1);
        deliver(s[0], 2);
        deliver(s[1], 2); // b skipped 1, which a delivered before 2, in the same regular view
        assertThat(rules()).containsExactly(InvariantChecker.Rule.TOTAL_ORDER);
    }

    @Test
    void causalOrder() {
        SessionLog[] s = twoMembers();
        SessionLog c = log("#c#d2");
        send(s[0], 1, ServiceLevel.RELIABLE); // a sends 1
        deliver(s[0], 1);
        deliver(s[1], 1); // b gets 1, then sends 2 in reply
        send(s[1], 2, ServiceLevel.CAUSAL);
        deliver(s[0], 2);
        deliver(s[1], 2);
        deliver(c, 2); // c gets the reply before what it answers
        deliver(c, 1);
        assertThat(rules()).containsExactly(InvariantChecker.Rule.CAUSAL_ORDER);
    }

    @Test
    void fifoOrder() {
        SessionLog[] s = twoMembers();
        send(s[0], 1, ServiceLevel.FIFO);
        send(s[0], 2, ServiceLevel.FIFO);
        deliver(s[1], 2);
        deliver(s[1], 1);
        assertThat(rules()).contains(InvariantChecker.Rule.FIFO_ORDER).doesNotContain(
                InvariantChecker.Rule.TOTAL_ORDER, InvariantChecker.Rule.VIRTUAL_SYNCHRONY);
    }

    @Test
    void fifoGapInsideOneView() {
        SessionLog[] s = twoMembers();
        send(s[0], 1, ServiceLevel.FIFO);
        send(s[0], 2, ServiceLevel.FIFO);
        send(s[0], 3, ServiceLevel.FIFO);
        deliver(s[0], 1);
        deliver(s[0], 2);
        deliver(s[0], 3);
        deliver(s[1], 1);
        deliver(s[1], 3);
        assertThat(rules()).containsExactly(InvariantChecker.Rule.FIFO_ORDER);
    }

    @Test
    void selfDelivery() {
        SessionLog[] s = twoMembers();
        send(s[0], 1, ServiceLevel.AGREED);
        deliver(s[1], 1);
        assertThat(rules()).containsExactly(InvariantChecker.Rule.SELF_DELIVERY);
    }

    @Test
    void safeDeliveryInARegularView() {
        SessionLog[] s = twoMembers();
        SessionLog c = log("#c#d2");
        send(c, 1, ServiceLevel.SAFE);
        deliver(s[0], 1); // a delivers SAFE 1 in V1; b stays alive in V1 and never gets it
        assertThat(rules()).containsExactly(InvariantChecker.Rule.SAFE_DELIVERY);
    }

    @Test
    void safeDeliveryInATransitionalConfiguration() {
        SessionLog[] s = twoMembers();
        SessionLog c = log("#c#d2");
        send(c, 1, ServiceLevel.SAFE);
        for (SessionLog l : s) {
            trans(l, V1);
        }
        deliver(s[0], 1);
        // Both end up in V3 with each other in their vs-sets, but b missed the SAFE message.
        view(s[0], V3, ViewCause.NETWORK, List.of(A, B), List.of(A, B));
        view(s[1], V3, ViewCause.NETWORK, List.of(A, B), List.of(A, B));
        assertThat(rules()).contains(InvariantChecker.Rule.SAFE_DELIVERY);
        assertThat(rules()).doesNotContain(InvariantChecker.Rule.TOTAL_ORDER, InvariantChecker.Rule.CAUSAL_ORDER,
                InvariantChecker.Rule.FIFO_ORDER, InvariantChecker.Rule.SELF_DELIVERY,
                InvariantChecker.Rule.VIEW_AGREEMENT);
    }

    @Test
    void aMessageStrandedInTheLastOpenViewIsCaughtOnlyByTheQuiescenceRule() {
        SessionLog[] ab = twoMembers();
        send(ab[0], 1, ServiceLevel.AGREED);
        deliver(ab[0], 1);
        assertThat(rules()).isEmpty();
        assertThat(InvariantChecker.checkQuiescent(logs, sent)).extracting(InvariantChecker.Violation::rule)
                .containsExactly(InvariantChecker.Rule.LIVENESS);
        deliver(ab[1], 1);
        assertThat(InvariantChecker.checkQuiescent(logs, sent)).isEmpty();
    }

    @Test
    void aGapIsAllowedByEvsOnlyForATransitionalDeliveryWhereTheTwoDidNotMoveTogether() {
        SessionLog[] ab = twoMembers();
        send(ab[0], 1, ServiceLevel.AGREED);
        trans(ab[0], V1);
        deliver(ab[0], 1);
        view(ab[0], V3, ViewCause.NETWORK, List.of(A, B), List.of(A));
        assertThat(InvariantChecker.gapAllowedByEvs(ab[0], B, 1, "g")).isTrue();
        send(ab[0], 2, ServiceLevel.AGREED);
        deliver(ab[0], 2);
        assertThat(InvariantChecker.gapAllowedByEvs(ab[0], B, 2, "g")).isFalse();
    }
}
