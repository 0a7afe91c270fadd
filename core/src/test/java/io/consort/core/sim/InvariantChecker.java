package io.consort.core.sim;

import io.consort.core.MessageEvent;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import io.consort.core.ViewId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks SPEC.md's invariants 1 to 8 over every session's log. Liveness (9) and bounded memory
 * (10) need the run itself and are checked by the simulator. Each violation names its rule, so a
 * test can prove that a log breaking one invariant is caught by that rule.
 */
final class InvariantChecker {
    /** The invariants, numbered as in SPEC.md. */
    enum Rule {
        NO_CREATION_OR_DUPLICATION, VIEW_AGREEMENT, VIRTUAL_SYNCHRONY, TOTAL_ORDER, CAUSAL_ORDER, FIFO_ORDER,
        SELF_DELIVERY, SAFE_DELIVERY, LIVENESS, BOUNDED_MEMORY
    }

    /** A broken invariant with what shows it. */
    record Violation(Rule rule, String detail) {
        @Override
        public String toString() {
            return rule + ": " + detail;
        }
    }

    /**
     * A view-to-view stretch of one session's log for one group. When the stretch ends in a NETWORK
     * view, the session's vs-set is part of the key: EVS promises the same messages only to the
     * sessions that moved together, which the vs-set names. Two sessions on two sides of a partition
     * that merged again before any view was delivered install the same two views with different
     * vs-sets, and rightly deliver different messages between them.
     */
    private record Segment(String group, ViewId from, ViewId to, List<String> vsSet) {
    }

    private final Map<Long, SessionLog.Message> sent;
    private final List<SessionLog> logs;
    private final List<Violation> violations = new ArrayList<>();

    private InvariantChecker(Collection<SessionLog> logs, Map<Long, SessionLog.Message> sent) {
        this.logs = List.copyOf(logs);
        this.sent = sent;
    }

    /** Every violation found, at most a few per rule. */
    static List<Violation> check(Collection<SessionLog> logs, Map<Long, SessionLog.Message> sent) {
        InvariantChecker c = new InvariantChecker(logs, sent);
        c.noCreationNoDuplication();
        c.viewAgreement();
        c.virtualSynchrony();
        c.totalOrder();
        c.causalOrder();
        c.fifoOrder();
        c.selfDelivery();
        c.safeDelivery();
        return c.violations;
    }

    private void fail(Rule rule, String detail) {
        long same = violations.stream().filter(v -> v.rule() == rule).count();
        if (same < 5) {
            violations.add(new Violation(rule, detail));
        }
    }

    private SessionLog.Message msg(long id) {
        return sent.get(id);
    }

    private boolean selfDiscardedBy(long id, String session) {
        SessionLog.Message m = msg(id);
        return m != null && m.selfDiscard() && m.sender().equals(session);
    }

    // 1 ------------------------------------------------------------------
    private void noCreationNoDuplication() {
        for (SessionLog log : logs) {
            Set<Long> seen = new HashSet<>();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.Delivered d) {
                    SessionLog.Message m = msg(d.msgId());
                    if (m == null || !m.sender().equals(d.event().sender()) || m.level() != d.event().level()
                            || !m.groups().equals(d.event().groups())) {
                        fail(Rule.NO_CREATION_OR_DUPLICATION, log.name + " delivered message " + d.msgId()
                                + " that was never sent as delivered");
                    }
                    if (!seen.add(d.msgId())) {
                        fail(Rule.NO_CREATION_OR_DUPLICATION, log.name + " delivered message " + d.msgId() + " twice");
                    }
                }
            }
        }
    }

    // 2 ------------------------------------------------------------------
    private void viewAgreement() {
        Map<String, List<String>> membersById = new HashMap<>();
        Map<String, List<String>> vsSetOf = new HashMap<>(); // group@view session -> its vs-set
        for (SessionLog log : logs) {
            Map<String, Boolean> transSinceNetwork = new HashMap<>();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.Transitional t) {
                    transSinceNetwork.put(t.signal().group(), true);
                } else if (e instanceof SessionLog.View v) {
                    ViewEvent view = v.view();
                    if (view.selfLeave()) {
                        transSinceNetwork.remove(view.group());
                        continue;
                    }
                    String key = view.group() + "@" + view.id();
                    List<String> before = membersById.putIfAbsent(key, view.members());
                    if (before != null && !before.equals(view.members())) {
                        fail(Rule.VIEW_AGREEMENT, "view " + key + " has members " + before + " at one session and "
                                + view.members() + " at " + log.name);
                    }
                    if (!view.members().contains(log.name)) {
                        fail(Rule.VIEW_AGREEMENT, log.name + " installed view " + key + " without being in it");
                    }
                    if (view.cause() == ViewCause.NETWORK) {
                        if (!transSinceNetwork.getOrDefault(view.group(), false)) {
                            fail(Rule.VIEW_AGREEMENT, log.name + " installed NETWORK view " + key
                                    + " without a transitional signal before it");
                        }
                        transSinceNetwork.put(view.group(), false);
                        vsSetOf.put(key + " " + log.name, view.vsSet());
                        if (!view.vsSet().contains(log.name) && !view.vsSet().isEmpty()) {
                            fail(Rule.VIEW_AGREEMENT, log.name + " is not in its own vs-set of " + key);
                        }
                    }
                }
            }
        }
        vsSetAgreement(vsSetOf);
    }

    /** Sessions in each other's vs-set list the same vs-set. */
    private void vsSetAgreement(Map<String, List<String>> vsSetOf) {
        vsSetOf.forEach((k, vs) -> {
            String view = k.substring(0, k.lastIndexOf(' '));
            for (String other : vs) {
                List<String> theirs = vsSetOf.get(view + " " + other);
                if (theirs != null && !theirs.equals(vs)) {
                    fail(Rule.VIEW_AGREEMENT, "in view " + view + ", " + k.substring(k.lastIndexOf(' ') + 1)
                            + " has vs-set " + vs + " but " + other + " in it has " + theirs);
                }
            }
        });
    }

    // 3 ------------------------------------------------------------------
    /** Per session and group: the messages of that group delivered between two consecutive views. */
    private Map<Segment, Set<Long>> segments(SessionLog log) {
        Map<Segment, Set<Long>> out = new LinkedHashMap<>();
        Map<String, ViewId> current = new HashMap<>();
        Map<String, Set<Long>> open = new HashMap<>();
        for (SessionLog.Entry e : log.entries) {
            if (e instanceof SessionLog.View v) {
                String g = v.view().group();
                ViewId prev = current.get(g);
                if (prev != null) {
                    List<String> vs = v.view().cause() == ViewCause.NETWORK ? v.view().vsSet() : List.of();
                    out.put(new Segment(g, prev, v.view().id(), vs), open.get(g));
                }
                if (v.view().selfLeave()) {
                    current.remove(g);
                    open.remove(g);
                } else {
                    current.put(g, v.view().id());
                    open.put(g, new HashSet<>());
                }
            } else if (e instanceof SessionLog.Delivered d && d.event().level() != ServiceLevel.UNRELIABLE) {
                for (String g : d.event().groups()) {
                    Set<Long> s = open.get(g);
                    if (s != null) {
                        s.add(d.msgId());
                    }
                }
            }
        }
        return out;
    }

    private void virtualSynchrony() {
        Map<Segment, Map.Entry<String, Set<Long>>> first = new HashMap<>();
        for (SessionLog log : logs) {
            for (Map.Entry<Segment, Set<Long>> seg : segments(log).entrySet()) {
                Map.Entry<String, Set<Long>> other = first.putIfAbsent(seg.getKey(), Map.entry(log.name, seg.getValue()));
                if (other == null) {
                    continue;
                }
                Set<Long> diff = new HashSet<>(seg.getValue());
                diff.addAll(other.getValue());
                Set<Long> both = new HashSet<>(seg.getValue());
                both.retainAll(other.getValue());
                diff.removeAll(both);
                diff.removeIf(id -> selfDiscardedBy(id, log.name) || selfDiscardedBy(id, other.getKey()));
                if (!diff.isEmpty()) {
                    fail(Rule.VIRTUAL_SYNCHRONY, log.name + " and " + other.getKey() + " installed views "
                            + seg.getKey() + " but delivered different messages between them: " + diff);
                }
            }
        }
    }

    // 4 ------------------------------------------------------------------
    private void totalOrder() {
        // One total order must exist: the union of every session's delivery order is acyclic.
        Map<Long, Set<Long>> next = new HashMap<>();
        Map<Long, Integer> indegree = new HashMap<>();
        for (SessionLog log : logs) {
            long prev = -1;
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.Delivered d && d.event().level().compareTo(ServiceLevel.CAUSAL) >= 0) {
                    indegree.putIfAbsent(d.msgId(), 0);
                    if (prev != -1 && next.computeIfAbsent(prev, k -> new HashSet<>()).add(d.msgId())) {
                        indegree.merge(d.msgId(), 1, Integer::sum);
                    }
                    prev = d.msgId();
                }
            }
        }
        ArrayDeque<Long> ready = new ArrayDeque<>();
        indegree.forEach((id, n) -> {
            if (n == 0) {
                ready.add(id);
            }
        });
        int ordered = 0;
        while (!ready.isEmpty()) {
            long id = ready.poll();
            ordered++;
            for (long n : next.getOrDefault(id, Set.of())) {
                if (indegree.merge(n, -1, Integer::sum) == 0) {
                    ready.add(n);
                }
            }
        }
        if (ordered != indegree.size()) {
            List<Long> cyclic = new ArrayList<>();
            indegree.forEach((id, n) -> {
                if (n > 0 && cyclic.size() < 10) {
                    cyclic.add(id);
                }
            });
            fail(Rule.TOTAL_ORDER, "sessions delivered totally ordered messages in conflicting orders, around " + cyclic);
        }
        noGapInRegularViews();
    }

    /**
     * In the regular part of a view (before any transitional signal), a session that delivers m2
     * has delivered every message of the group that another member delivered before m2 there.
     */
    private void noGapInRegularViews() {
        Map<String, Map<String, List<Long>>> byView = new HashMap<>(); // group@view -> session -> regular deliveries
        for (SessionLog log : logs) {
            Map<String, String> openView = new HashMap<>();
            Set<String> inTransitional = new HashSet<>();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v) {
                    String g = v.view().group();
                    if (v.view().cause() == ViewCause.NETWORK || v.view().selfLeave()) {
                        inTransitional.remove(g);
                    }
                    if (v.view().selfLeave() || inTransitional.contains(g)) {
                        openView.remove(g);
                    } else {
                        String key = g + "@" + v.view().id();
                        openView.put(g, key);
                        byView.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(log.name, new ArrayList<>());
                    }
                } else if (e instanceof SessionLog.Transitional t) {
                    openView.remove(t.signal().group());
                    inTransitional.add(t.signal().group());
                } else if (e instanceof SessionLog.Delivered d && d.event().level().compareTo(ServiceLevel.CAUSAL) >= 0) {
                    for (String g : d.event().groups()) {
                        String key = openView.get(g);
                        if (key != null) {
                            byView.get(key).get(log.name).add(d.msgId());
                        }
                    }
                }
            }
        }
        for (Map.Entry<String, Map<String, List<Long>>> view : byView.entrySet()) {
            for (Map.Entry<String, List<Long>> s : view.getValue().entrySet()) {
                Set<Long> mine = new HashSet<>(s.getValue());
                for (Map.Entry<String, List<Long>> o : view.getValue().entrySet()) {
                    List<Long> theirs = o.getValue();
                    int last = -1;
                    for (int i = 0; i < theirs.size(); i++) {
                        if (mine.contains(theirs.get(i))) {
                            last = i;
                        }
                    }
                    for (int i = 0; i < last; i++) {
                        long id = theirs.get(i);
                        if (!mine.contains(id) && !selfDiscardedBy(id, s.getKey())) {
                            fail(Rule.TOTAL_ORDER, s.getKey() + " skipped message " + id + " in view " + view.getKey()
                                    + " that " + o.getKey() + " delivered before " + theirs.get(last));
                        }
                    }
                }
            }
        }
    }

    // 5 ------------------------------------------------------------------
    /**
     * Liveness at quiescence (SPEC invariants 9 and 8, and 3 applied to the view still open): once
     * traffic and faults stopped long enough, sessions that are still connected and whose last
     * view of a group is the same regular view have delivered the same messages of that group
     * since it. A message one of them delivered and the other never will is stranded: the ring
     * stopped before it reached every daemon of the configuration. Only meaningful after a quiet
     * period; {@link #check} cannot see this, since a view that never closes compares nothing.
     */
    static List<Violation> checkQuiescent(Collection<SessionLog> logs, Map<Long, SessionLog.Message> sent) {
        List<Violation> out = new ArrayList<>();
        // group -> last view id -> session -> messages of the group delivered since that view
        Map<String, Map<ViewId, Map<String, java.util.Set<Long>>>> open = new java.util.TreeMap<>();
        for (SessionLog log : logs) {
            if (log.end != SessionLog.End.ALIVE) {
                continue;
            }
            Map<String, ViewEvent> last = new HashMap<>();
            Map<String, java.util.Set<Long>> since = new HashMap<>();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v) {
                    last.put(v.view().group(), v.view());
                    since.put(v.view().group(), new java.util.TreeSet<>());
                } else if (e instanceof SessionLog.Transitional t) {
                    last.remove(t.signal().group()); // a change under way: not a settled view
                    since.remove(t.signal().group());
                } else if (e instanceof SessionLog.Delivered d) {
                    SessionLog.Message m = sent.get(d.msgId());
                    if (m == null || m.level() == ServiceLevel.UNRELIABLE) {
                        continue; // unreliable messages may be lost
                    }
                    for (String g : m.groups()) {
                        java.util.Set<Long> set = since.get(g);
                        if (set != null) {
                            set.add(d.msgId());
                        }
                    }
                }
            }
            for (Map.Entry<String, ViewEvent> e : last.entrySet()) {
                ViewEvent v = e.getValue();
                if (v.selfLeave() || !v.members().contains(log.name)) {
                    continue;
                }
                open.computeIfAbsent(e.getKey(), k -> new HashMap<>()).computeIfAbsent(v.id(), k -> new java.util.TreeMap<>())
                        .put(log.name, since.get(e.getKey()));
            }
        }
        for (Map.Entry<String, Map<ViewId, Map<String, java.util.Set<Long>>>> g : open.entrySet()) {
            for (Map.Entry<ViewId, Map<String, java.util.Set<Long>>> v : g.getValue().entrySet()) {
                java.util.Set<Long> all = new java.util.TreeSet<>();
                v.getValue().values().forEach(all::addAll);
                for (Map.Entry<String, java.util.Set<Long>> s : v.getValue().entrySet()) {
                    java.util.Set<Long> missing = new java.util.TreeSet<>(all);
                    missing.removeAll(s.getValue());
                    missing.removeIf(id -> sent.get(id).selfDiscard() && sent.get(id).sender().equals(s.getKey()));
                    if (!missing.isEmpty()) {
                        out.add(new Violation(Rule.LIVENESS, s.getKey() + " in its last view " + v.getKey() + " of "
                                + g.getKey() + " never got " + missing.size() + " message(s) other members of that view "
                                + "delivered, after traffic stopped: " + missing.stream().limit(10).toList()));
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Whether EVS allows session {@code receiver} never to deliver message {@code msgId} of
     * {@code group} that session {@code sender} delivered: the first view of the group the sender
     * installed after delivering it shows the two did not move on together (a NETWORK view whose
     * vs-set, at the sender, leaves the receiver out, or a view without the receiver). Messages of a
     * configuration that split may then be missing at the other side, whether the sender delivered
     * them in the old regular configuration or in its transitional one; SAFE ones in a regular view
     * are invariant 8's business, and sessions that moved together invariant 3's.
     */
    static boolean gapAllowedByEvs(SessionLog sender, String receiver, long msgId, String group) {
        boolean delivered = false;
        for (SessionLog.Entry e : sender.entries) {
            if (e instanceof SessionLog.Delivered d && d.msgId() == msgId) {
                delivered = true;
            } else if (delivered && e instanceof SessionLog.View v && v.view().group().equals(group)) {
                return v.view().cause() == ViewCause.NETWORK ? !v.view().vsSet().contains(receiver)
                        : !v.view().members().contains(receiver);
            }
        }
        return false;
    }

    private static Map<Long, Integer> positions(SessionLog log) {
        Map<Long, Integer> pos = new HashMap<>();
        for (int i = 0; i < log.entries.size(); i++) {
            if (log.entries.get(i) instanceof SessionLog.Delivered d) {
                pos.put(d.msgId(), i);
            }
        }
        return pos;
    }

    private void causalOrder() {
        List<Map<Long, Integer>> pos = new ArrayList<>();
        for (SessionLog log : logs) {
            pos.add(positions(log));
        }
        for (SessionLog sender : logs) {
            boolean sends = sender.entries.stream().anyMatch(e -> e instanceof SessionLog.Sent);
            if (!sends) {
                continue;
            }
            for (int r = 0; r < logs.size(); r++) {
                Map<Long, Integer> at = pos.get(r);
                int maxBefore = -1;
                long maxId = -1;
                for (SessionLog.Entry e : sender.entries) {
                    long id;
                    if (e instanceof SessionLog.Sent s) {
                        id = s.msgId();
                        SessionLog.Message m = msg(id);
                        Integer p = at.get(id);
                        if (m != null && p != null && m.level().compareTo(ServiceLevel.CAUSAL) >= 0 && maxBefore > p) {
                            fail(Rule.CAUSAL_ORDER, logs.get(r).name + " delivered " + id + " from " + sender.name
                                    + " before " + maxId + ", which " + sender.name + " had before sending it");
                        }
                    } else if (e instanceof SessionLog.Delivered d && d.event().level() != ServiceLevel.UNRELIABLE) {
                        id = d.msgId();
                    } else {
                        continue;
                    }
                    Integer p = at.get(id);
                    SessionLog.Message m = msg(id);
                    if (p != null && m != null && m.level() != ServiceLevel.UNRELIABLE && p > maxBefore) {
                        maxBefore = p;
                        maxId = id;
                    }
                }
            }
        }
    }

    // 6 ------------------------------------------------------------------
    private void fifoOrder() {
        // The FIFO-or-stronger messages of each sender, per group, in send order.
        Map<String, List<Long>> perSenderGroup = new HashMap<>();
        for (SessionLog log : logs) {
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.Sent s) {
                    SessionLog.Message m = msg(s.msgId());
                    if (m != null && m.fifo()) {
                        for (String g : m.groups()) {
                            perSenderGroup.computeIfAbsent(log.name + " " + g, k -> new ArrayList<>()).add(m.id());
                        }
                    }
                }
            }
        }
        Map<String, Map<Long, Integer>> index = new HashMap<>();
        perSenderGroup.forEach((k, ids) -> {
            Map<Long, Integer> idx = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                idx.put(ids.get(i), i);
            }
            index.put(k, idx);
        });
        for (SessionLog log : logs) {
            Map<String, Integer> lastEver = new HashMap<>(); // sender+group -> index of last delivered
            Map<String, Integer> lastIndex = new HashMap<>(); // the same, inside the current view
            Map<String, Boolean> regular = new HashMap<>(); // group -> in the regular part of a view
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v) {
                    if (v.view().cause() == ViewCause.NETWORK || v.view().selfLeave()) {
                        regular.put(v.view().group(), !v.view().selfLeave());
                    } else {
                        regular.putIfAbsent(v.view().group(), true);
                    }
                    lastIndex.keySet().removeIf(k -> k.endsWith(" " + v.view().group()));
                } else if (e instanceof SessionLog.Transitional t) {
                    regular.put(t.signal().group(), false);
                } else if (e instanceof SessionLog.Delivered d) {
                    SessionLog.Message m = msg(d.msgId());
                    if (m == null || !m.fifo()) {
                        continue;
                    }
                    for (String g : m.groups()) {
                        String k = m.sender() + " " + g;
                        Map<Long, Integer> idx = index.get(k);
                        Integer i = idx == null ? null : idx.get(m.id());
                        if (i == null) {
                            continue;
                        }
                        Integer ever = lastEver.get(k);
                        Integer last = lastIndex.get(k);
                        if (ever != null && i <= ever) {
                            fail(Rule.FIFO_ORDER, log.name + " delivered " + m.id() + " of " + m.sender()
                                    + " after a message the sender sent later");
                        } else if (last != null && i > last + 1 && regular.getOrDefault(g, false)) {
                            List<Long> ids = perSenderGroup.get(k);
                            for (int j = last + 1; j < i; j++) {
                                if (!selfDiscardedBy(ids.get(j), log.name)) {
                                    fail(Rule.FIFO_ORDER, log.name + " skipped " + ids.get(j) + " of " + m.sender()
                                            + " in group " + g + " inside one view");
                                    break;
                                }
                            }
                        }
                        lastIndex.put(k, i);
                        lastEver.put(k, i);
                    }
                }
            }
        }
    }

    // 7 ------------------------------------------------------------------
    private void selfDelivery() {
        for (SessionLog log : logs) {
            if (log.end != SessionLog.End.ALIVE) {
                continue;
            }
            Map<String, Boolean> member = new HashMap<>();
            Set<String> leftLater = new HashSet<>();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v && v.view().selfLeave()) {
                    leftLater.add(v.view().group());
                }
            }
            Set<Long> delivered = positions(log).keySet();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v) {
                    member.put(v.view().group(), !v.view().selfLeave() && v.view().members().contains(log.name));
                } else if (e instanceof SessionLog.Sent s) {
                    SessionLog.Message m = msg(s.msgId());
                    if (m == null || m.selfDiscard() || m.level() == ServiceLevel.UNRELIABLE) {
                        continue;
                    }
                    boolean mustGet = m.groups().stream()
                            .anyMatch(g -> member.getOrDefault(g, false) && !leftLater.contains(g));
                    if (mustGet && !delivered.contains(m.id())) {
                        fail(Rule.SELF_DELIVERY, log.name + " never delivered its own message " + m.id());
                    }
                }
            }
        }
    }

    // 8 ------------------------------------------------------------------
    private void safeDelivery() {
        Map<String, SessionLog> byName = new HashMap<>();
        for (SessionLog log : logs) {
            byName.put(log.name, log);
        }
        // Who installed which view, and whether they went on past it.
        Map<String, List<SessionLog>> installers = new HashMap<>();
        for (SessionLog log : logs) {
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v && !v.view().selfLeave()) {
                    installers.computeIfAbsent(v.view().group() + "@" + v.view().id(), k -> new ArrayList<>()).add(log);
                }
            }
        }
        for (SessionLog log : logs) {
            Map<String, ViewEvent> view = new HashMap<>();
            Map<String, Boolean> transitional = new HashMap<>();
            Map<String, List<Long>> safeInTransitional = new HashMap<>();
            for (SessionLog.Entry e : log.entries) {
                if (e instanceof SessionLog.View v) {
                    String g = v.view().group();
                    List<Long> pending = safeInTransitional.remove(g);
                    if (pending != null && v.view().cause() == ViewCause.NETWORK) {
                        for (String r : v.view().vsSet()) {
                            SessionLog other = byName.get(r);
                            if (other == null || other == log || other.end == SessionLog.End.CRASHED
                                    || !installed(other, g, v.view().id())) {
                                continue;
                            }
                            Set<Long> got = positions(other).keySet();
                            for (long id : pending) {
                                if (!got.contains(id) && !selfDiscardedBy(id, r)) {
                                    fail(Rule.SAFE_DELIVERY, log.name + " delivered SAFE " + id
                                            + " in a transitional configuration but " + r + " of its vs-set did not");
                                }
                            }
                        }
                    }
                    view.put(g, v.view().selfLeave() ? null : v.view());
                    // A JOIN or LEAVE view delivered in the old configuration's remainder is still
                    // transitional: only the next NETWORK view ends that.
                    if (v.view().cause() == ViewCause.NETWORK || v.view().selfLeave()) {
                        transitional.put(g, false);
                    }
                } else if (e instanceof SessionLog.Transitional t) {
                    transitional.put(t.signal().group(), true);
                } else if (e instanceof SessionLog.Delivered d && d.event().level() == ServiceLevel.SAFE) {
                    for (String g : d.event().groups()) {
                        ViewEvent v = view.get(g);
                        if (v == null) {
                            continue;
                        }
                        if (transitional.getOrDefault(g, false)) {
                            safeInTransitional.computeIfAbsent(g, k -> new ArrayList<>()).add(d.msgId());
                            continue;
                        }
                        for (SessionLog other : installers.getOrDefault(g + "@" + v.id(), List.of())) {
                            if (other == log || other.end == SessionLog.End.CRASHED
                                    || selfDiscardedBy(d.msgId(), other.name) || !wentOnPast(other, g, v.id())) {
                                continue;
                            }
                            if (!positions(other).containsKey(d.msgId())) {
                                fail(Rule.SAFE_DELIVERY, log.name + " delivered SAFE " + d.msgId() + " in view "
                                        + g + "@" + v.id() + " but " + other.name + " of that view never did");
                            }
                        }
                    }
                }
            }
        }
    }

    private static boolean installed(SessionLog log, String group, ViewId id) {
        for (SessionLog.Entry e : log.entries) {
            if (e instanceof SessionLog.View v && v.view().group().equals(group) && v.view().id().equals(id)
                    && !v.view().selfLeave()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the session, after installing the view, saw anything more of the group or lived to the end. */
    private static boolean wentOnPast(SessionLog log, String group, ViewId id) {
        boolean after = false;
        for (SessionLog.Entry e : log.entries) {
            if (e instanceof SessionLog.View v && v.view().group().equals(group)) {
                if (after) {
                    return true;
                }
                after = v.view().id().equals(id) && !v.view().selfLeave();
            } else if (after && e instanceof SessionLog.Transitional t && t.signal().group().equals(group)) {
                return true;
            }
        }
        return after && log.end == SessionLog.End.ALIVE;
    }

    static String describe(MessageEvent m) {
        return Objects.toString(m.sender()) + "->" + m.groups() + " " + m.level();
    }
}
