package io.consort.samples.map;

import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.core.ViewId;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.reactive.TransitionalSignal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A key-value map replicated over a Consort group, which accepts writes only in a primary component. Every write
 * is a SAFE multicast, and every replica applies the group's events one at a time in the group's one order, so
 * replicas that applied the same prefix hold the same map.
 *
 * <p><b>Primary component.</b> The map is joined with the size N of its replica set. A view is primary when its
 * members are a strict majority of N: two disjoint components can never both be, so at most one side of a
 * partition acknowledges writes. In a primary component {@link #put} and {@link #remove} complete once this
 * replica applied the write (read your writes). Elsewhere they fail at once with {@link NotPrimaryException}
 * (nothing sent, retry later), and a write sent just before the component changed fails with it too, marked
 * in doubt ({@link NotPrimaryException#sent()}): every replica of a non-primary component ignores the writes it
 * delivers, alike, because it decides from the same view. Reads never block: outside a primary component they
 * serve the last state this replica held, which may be stale. The one-argument {@link #join(Session, String)}
 * is a replica set of one, where every component is primary: right for one daemon, unsafe across partitions.
 * Every replica must be given the same N, and at most N replicas may be members at once, counting those cut
 * off by a partition: replace a replica only once it is gone for good (a majority of a fixed set is what makes
 * two majorities overlap).
 *
 * <p><b>Late joiners.</b> A replica that joins gets the state by transfer: every replica sees the JOIN view at
 * the same place in the order, and one settled member (the first in the view that is not itself waiting) sends
 * a snapshot of the state as it stood right after that view, naming the view. The joiner buffers what it
 * receives from its own join view on; when its snapshot arrives it drops what it buffered up to the cut (already
 * in the snapshot) and replays the rest (not in it): no gap, no duplicate. If the chosen sender leaves first,
 * the next view names a new sender, who cuts a snapshot at that view.
 *
 * <p><b>Daemon failures, partitions and merges (NETWORK views).</b> At every NETWORK view each member stops
 * applying and announces, as a SAFE message, what it holds: its version and its epoch, the number of primary
 * views its state went through. Once every member of the view has announced, all of them pick the same state to
 * go on with: the highest epoch, then the highest version, then the earliest member. A primary component's
 * state always outranks the states of components cut off from it, since every primary view raises the epoch;
 * a later primary contains a member of the previous one (majorities overlap), which brings that epoch along.
 * The winner, and the settled members of its vs-set (same messages, same state), keep their state; everyone
 * else takes it by transfer, cut right after the last announcement, exactly like a late joiner. If the view is
 * primary the map then applies writes again. If no component was primary nothing was acknowledged since the
 * last primary, so choosing by epoch and version loses nothing acknowledged.
 *
 * <p>Acknowledged means this: SAFE delivery in a regular view means every daemon of the view holds the write,
 * and the map acknowledges it only once a majority of the N replicas hold the state (acknowledgements wait
 * while members are still receiving a snapshot). So every later primary has a member that applied it. A write
 * applied after a transitional signal is not acknowledged (in doubt): the other side may lack it.
 * <i>Known gap:</i> if a second partition strikes in the middle of a NETWORK view's announcements so that some
 * members complete them (only after a transitional signal) and others never do, both may later reach the same
 * epoch along different histories; the tie is then broken by version and could prefer the unacknowledged
 * history. Closing it needs the two-round protocol of dynamic voting (Yeger Lotem, Keidar, Dolev), not done here.
 *
 * <pre>{@code
 * Session session = ConsortClient.create().port(4803).connect().block();
 * ReplicatedMap map = ReplicatedMap.join(session, "inventory", 3).block(); // one of 3 replicas, has the state
 * map.put("apples", "12")                                                 // applied here when it completes
 *    .retryWhen(Retry.backoff(10, Duration.ofMillis(50)).filter(NotPrimaryException.class::isInstance))
 *    .block();
 * map.get("apples");                                                      // "12" (maybe stale if not primary)
 * map.close().block();
 * }</pre>
 */
public final class ReplicatedMap {
    private final Session session;
    private final String group;
    private final String me;
    /** How many replicas the map has (N); a component is primary when it holds more than half of them. */
    private final int replicas;
    private final AtomicLong nextUpdate = new AtomicLong();
    /** Writers waiting for their own update to be applied, by update id. */
    private final Map<String, Sinks.Empty<Void>> ownWrites = new ConcurrentHashMap<>();
    private final Sinks.One<ReplicatedMap> settled = Sinks.one();
    private final Sinks.Many<Long> versions = Sinks.many().replay().latest();
    /** Events from this replica's join view (or from the last NETWORK view) on, kept until it has the state. */
    private final List<GroupEvent> buffered = new ArrayList<>();
    /** Own updates applied whose acknowledgement waits for a majority of settled members (see canAcknowledge). */
    private final List<String> unacknowledged = new ArrayList<>();
    /** The state: applied when settled; while waiting, the last one held (served to reads, offered at merges). */
    private @Nullable MapState state;
    /** Waiting for the state: buffering events, applying nothing. */
    private boolean waiting = true;
    /** Whether this replica's component is primary now: only then does it apply and acknowledge writes. */
    private volatile boolean primary;
    /** Between a transitional signal and the NETWORK view that follows it. */
    private boolean transitional;
    /** The current view's members, its id, and how many events followed it: where a snapshot is cut. */
    private List<String> members = List.of();
    private @Nullable ViewId lastView;
    private int sinceView;
    /** The state exchange that a NETWORK view started, until every member announced what it holds. */
    private @Nullable Exchange exchange;
    private @Nullable Disposable applying;
    /** Tests turn this off to play a member that leaves before it sends the snapshot it owes. */
    private volatile boolean sendsSnapshots = true;
    /** What tests watch: every event as it is handled, and every update as it is applied. */
    private volatile Probe probe = Probe.NONE;

    private ReplicatedMap(Session session, String group, int replicas) {
        this.session = session;
        this.group = group;
        this.me = session.privateName();
        this.replicas = replicas;
    }

    /**
     * Joins {@code group} as a replica of a map of one replica: every component is primary, so a write is
     * acknowledged wherever it is made and a merge after a partition may discard one side's acknowledged writes.
     * Right with one daemon (a group cannot partition); with several, use {@link #join(Session, String, int)}.
     */
    public static Mono<ReplicatedMap> join(Session session, String group) {
        return join(session, group, 1);
    }

    /**
     * Joins {@code group} as one of {@code replicas} replicas; emits it once it holds the group's state. Writes
     * are acknowledged only in a primary component: one holding a strict majority of {@code replicas}. Every
     * replica must be given the same count, and no more than that many may be members at once, counting those
     * cut off by a partition (replace a replica only once it is gone for good).
     */
    public static Mono<ReplicatedMap> join(Session session, String group, int replicas) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(group, "group");
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
        }
        return Mono.defer(() -> {
            ReplicatedMap map = new ReplicatedMap(session, group, replicas);
            // One subscriber, concatMap: events are handled strictly one after another in the group's order,
            // and the stream is subscribed before the join so the join view is its first event.
            map.applying = session.events(group).concatMap(map::onEvent).subscribe(null, map::streamFailed);
            return session.join(group).then(map.settled.asMono());
        });
    }

    /**
     * Sets {@code key} to {@code value}; completes once this replica applied it (read your writes) in a
     * primary component, or fails with {@link NotPrimaryException}. Each subscription is a new write, so
     * {@code retryWhen} retries it.
     */
    public Mono<Void> put(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return Mono.defer(() -> tracked(key, value)).then();
    }

    /**
     * Removes {@code key}; completes once this replica applied it, or fails with {@link NotPrimaryException}.
     * Each subscription is a new write.
     */
    public Mono<Void> remove(String key) {
        Objects.requireNonNull(key, "key");
        return Mono.defer(() -> tracked(key, null)).then();
    }

    /** For tests: puts (or removes, for null) and emits the update's id once this replica applied it. */
    Mono<String> tracked(String key, @Nullable String value) {
        MapCommand.Update update = new MapCommand.Update(me + ":" + nextUpdate.incrementAndGet(), key, value);
        return write(update).thenReturn(update.id());
    }

    private Mono<Void> write(MapCommand.Update update) {
        return Mono.defer(() -> {
            if (!primary) {
                // Fail fast: nothing was sent, so nothing can be applied anywhere.
                return Mono.error(new NotPrimaryException(group, false));
            }
            Sinks.Empty<Void> applied = Sinks.empty();
            ownWrites.put(update.id(), applied);
            // SAFE: delivered in a regular view only once every daemon holds it, so a write acknowledged here
            // reaches every replica of the view that stays alive, whatever partition follows.
            return session.multicast(OutgoingMessage.to(group).level(ServiceLevel.SAFE)
                            .type(MapCommand.UPDATE_TYPE).payload(update, MapCommand.UPDATES))
                    .doOnError(e -> ownWrites.remove(update.id()))
                    .then(applied.asMono());
        });
    }

    /** The value of {@code key} at this replica now, or null; outside a primary component it may be stale. */
    public synchronized @Nullable String get(String key) {
        return state == null ? null : state.get(key);
    }

    /** A copy of this replica's entries now; outside a primary component they may be stale. */
    public synchronized Map<String, String> entries() {
        return state == null ? Map.of() : state.entries();
    }

    /** How many updates the group's state has applied, here, now. */
    public synchronized long version() {
        return state == null ? 0 : state.version();
    }

    /** Whether this replica is in a primary component now, so that writes made here can be acknowledged. */
    public boolean isPrimary() {
        return primary;
    }

    /** Completes once this replica has applied at least {@code version} updates. */
    public Mono<Void> awaitVersion(long version) {
        return versions.asFlux().filter(v -> v >= version).next().then();
    }

    /** Leaves the group and stops applying; the session stays open. */
    public Mono<Void> close() {
        return session.leave(group).doFinally(s -> {
            Disposable d = applying;
            if (d != null) {
                d.dispose();
            }
        });
    }

    // ------------------------------------------------------------------ applying, in order

    private synchronized Mono<Void> onEvent(GroupEvent event) {
        probe.event(event);
        // Where this event stands in the order, for cutting snapshots; kept here, not in handle(), because
        // handle() sees events again when it replays them after a snapshot.
        if (event instanceof GroupView v) {
            lastView = v.id();
            sinceView = 0;
            if (!v.selfLeave()) {
                members = v.members();
            }
        } else {
            sinceView++;
        }
        Mono<Void> out;
        if (event instanceof TransitionalSignal) {
            // The view is ending: what is applied from here on may be missing at members of another component.
            transitional = true;
            failUnacknowledged();
            out = handle(event);
        } else if (event instanceof GroupView v && v.cause() == ViewCause.NETWORK && !v.selfLeave()) {
            transitional = false;
            out = startExchange(v);
        } else if (exchange != null) {
            out = duringExchange(event);
        } else {
            out = handle(event);
        }
        acknowledgeIfSafe();
        return out;
    }

    private Mono<Void> handle(GroupEvent event) {
        if (!waiting) {
            return applySettled(event);
        }
        buffered.add(event);
        if (buffered.size() == 1 && event instanceof GroupView v && v.cause() == ViewCause.JOIN
                && v.members().equals(List.of(me))) {
            // Alone in the group: nobody holds older state, so the state starts empty here.
            // A replica set of one is primary alone, and a primary view raises the epoch, as at any view.
            boolean alonePrimary = replicas == 1;
            probe.installed(me, 0);
            install(new MapState(Map.of(), List.of(), 0, alonePrimary ? 1 : 0), 1, alonePrimary);
        } else if (event instanceof GroupMessage m && m.type() == MapCommand.SNAPSHOT_TYPE) {
            MapCommand.Snapshot s = m.decode(MapCommand.SNAPSHOTS);
            if (s.recipients().contains(me)) {
                probe.installed(m.sender(), s.version());
                install(MapState.of(s), indexAfterCut(s), s.primary());
            }
        }
        return Mono.empty();
    }

    /** Takes {@code initial} as the state and replays the buffered events from {@code from} on. */
    private void install(MapState initial, int from, boolean isPrimary) {
        state = initial;
        waiting = false;
        primary = isPrimary;
        List<GroupEvent> rest = new ArrayList<>(buffered.subList(from, buffered.size()));
        failOwnUpdates(buffered.subList(0, from));
        buffered.clear();
        versions.tryEmitNext(initial.version());
        for (GroupEvent e : rest) {
            // Snapshots due from this replica while it was waiting are sent now, cut where they belong. The rest
            // lies inside one configuration (a NETWORK view would have restarted the buffer).
            handle(e).subscribe();
        }
        settled.tryEmitValue(this);
    }

    private int indexAfterCut(MapCommand.Snapshot s) {
        for (int i = 0; i < buffered.size(); i++) {
            if (buffered.get(i) instanceof GroupView v && v.id().equals(s.cut())) {
                return i + 1 + s.cutOffset();
            }
        }
        // The cut is a view this replica saw after joining (or after the NETWORK view that started its wait),
        // or it would not be a recipient.
        throw new IllegalStateException("snapshot cut at view " + s.cut() + " which " + me + " never saw");
    }

    private Mono<Void> applySettled(GroupEvent event) {
        MapState s = Objects.requireNonNull(state);
        if (event instanceof GroupMessage m && m.type() == MapCommand.UPDATE_TYPE) {
            MapCommand.Update u = m.decode(MapCommand.UPDATES);
            if (!primary) {
                // Every replica of this component ignores it alike: it is not primary, so nothing is applied.
                fail(u.id(), true);
                return Mono.empty();
            }
            s.apply(u);
            probe.applied(u);
            versions.tryEmitNext(s.version());
            if (ownWrites.containsKey(u.id())) {
                if (transitional) {
                    // Applied in the old view's remainder, which another component may lack: in doubt.
                    fail(u.id(), true);
                } else {
                    unacknowledged.add(u.id());
                }
            }
        } else if (event instanceof GroupMessage m && m.type() == MapCommand.SNAPSHOT_TYPE) {
            s.pending().removeAll(m.decode(MapCommand.SNAPSHOTS).recipients());
        } else if (event instanceof GroupView v && !v.selfLeave()) {
            // JOIN, LEAVE or DISCONNECT (NETWORK views start an exchange): the same history at every settled
            // member, so each decides alike whether the view is primary.
            if (v.cause() == ViewCause.JOIN) {
                s.pending().addAll(v.changed());
            }
            s.pending().retainAll(v.members());
            primary = v.members().size() * 2 > replicas;
            if (primary) {
                s.epoch(s.epoch() + 1);
            }
            return sendSnapshotIfMine(v.id(), 0, v.members(), s);
        }
        return Mono.empty();
    }

    // ------------------------------------------------------------------ NETWORK views: the state exchange

    /**
     * A NETWORK view: components may have merged, split or both, and their states may differ. Every member
     * stops applying, buffers, and announces what it holds; once all have announced, all pick the same state.
     */
    private Mono<Void> startExchange(GroupView v) {
        failUnacknowledged();
        failOwnUpdates(buffered);
        buffered.clear();
        buffered.add(v);
        boolean wasWaiting = waiting;
        waiting = true;
        primary = false;
        exchange = new Exchange(v.id(), new ArrayList<>(v.members()), v.vsSet());
        MapState s = state;
        MapCommand.Status status = new MapCommand.Status(v.id().configurationId(), v.id().sequence(), s != null,
                !wasWaiting, s == null ? 0 : s.epoch(), s == null ? 0 : s.version());
        return session.multicast(OutgoingMessage.to(group).level(ServiceLevel.SAFE)
                .type(MapCommand.STATUS_TYPE).payload(status, MapCommand.STATUSES));
    }

    private Mono<Void> duringExchange(GroupEvent event) {
        Exchange x = Objects.requireNonNull(exchange);
        buffered.add(event);
        if (event instanceof GroupMessage m && m.type() == MapCommand.STATUS_TYPE) {
            MapCommand.Status st = m.decode(MapCommand.STATUSES);
            if (st.view().equals(x.view)) {
                x.statuses.put(m.sender(), st);
            }
        } else if (event instanceof GroupMessage m && m.type() == MapCommand.UPDATE_TYPE) {
            // Sent before the component changed; nobody applies it during the exchange.
            fail(m.decode(MapCommand.UPDATES).id(), true);
        } else if (event instanceof GroupView v && !v.selfLeave()) {
            // A member that leaves will not announce; one that joins announces nothing and waits for a snapshot.
            x.expected.retainAll(v.members());
        }
        return x.statuses.keySet().containsAll(x.expected) ? decide(x) : Mono.empty();
    }

    /**
     * Every member announced: the state of the highest epoch, then the highest version, then the earliest member,
     * wins. Its holder, and the members of its component that hold the same state, keep it; everyone else waits
     * for a snapshot cut here. Deciding depends only on the announcements, which every member delivers in the same
     * order, so every member decides alike.
     */
    private Mono<Void> decide(Exchange x) {
        exchange = null;
        String winner = null;
        MapCommand.Status best = null;
        for (String member : x.expected) {
            MapCommand.Status st = x.statuses.get(member);
            if (st.hasState() && (best == null || st.epoch() > best.epoch()
                    || st.epoch() == best.epoch() && st.version() > best.version())) {
                best = st;
                winner = member;
            }
        }
        if (winner == null) {
            // Nobody holds the state (only joiners that never got it): everyone goes on waiting.
            return Mono.empty();
        }
        boolean nowPrimary = members.size() * 2 > replicas;
        List<String> keepers = new ArrayList<>();
        for (String member : members) {
            MapCommand.Status st = x.statuses.get(member);
            // Settled members of the winner's vs-set came through the change with it, applying the same
            // messages: they hold the same state as a settled winner.
            if (member.equals(winner) || (best.settled() && st != null && st.settled()
                    && x.vsSet.contains(member) && x.vsSet.contains(winner))) {
                keepers.add(member);
            }
        }
        if (!keepers.contains(me)) {
            return Mono.empty(); // keep waiting, buffering, for the snapshot cut here
        }
        MapState s = Objects.requireNonNull(state);
        if (nowPrimary) {
            s.epoch(best.epoch() + 1);
        }
        s.pending().clear();
        members.stream().filter(m -> !keepers.contains(m)).forEach(s.pending()::add);
        failOwnUpdates(buffered);
        buffered.clear();
        waiting = false;
        primary = nowPrimary;
        settled.tryEmitValue(this);
        return sendSnapshotIfMine(Objects.requireNonNull(lastView), sinceView, members, s);
    }

    /** What a NETWORK view's exchange has gathered so far. */
    private static final class Exchange {
        final ViewId view;
        final List<String> expected;
        final List<String> vsSet;
        final Map<String, MapCommand.Status> statuses = new HashMap<>();

        Exchange(ViewId view, List<String> expected, List<String> vsSet) {
            this.view = view;
            this.expected = expected;
            this.vsSet = List.copyOf(vsSet);
        }
    }

    // ------------------------------------------------------------------ snapshots and acknowledgements

    /** The first member of the view not itself waiting sends; every replica agrees who that is. */
    private Mono<Void> sendSnapshotIfMine(ViewId cut, int offset, List<String> order, MapState s) {
        if (s.pending().isEmpty()) {
            return Mono.empty();
        }
        String sender = order.stream().filter(m -> !s.pending().contains(m)).findFirst().orElse(null);
        if (!me.equals(sender) || !sendsSnapshots) {
            return Mono.empty();
        }
        return session.multicast(OutgoingMessage.to(group).level(ServiceLevel.SAFE)
                .type(MapCommand.SNAPSHOT_TYPE).payload(s.snapshot(cut, offset, primary), MapCommand.SNAPSHOTS));
    }

    /**
     * Own writes applied here are acknowledged once a majority of the replicas hold the state in this regular
     * view: SAFE delivery then puts the write at each of them, so any later primary (a majority too) has a
     * member holding it. Until then (members still waiting for a snapshot) the acknowledgement waits.
     */
    private void acknowledgeIfSafe() {
        MapState s = state;
        if (unacknowledged.isEmpty() || waiting || !primary || transitional || s == null
                || (members.size() - s.pending().size()) * 2 <= replicas) {
            return;
        }
        for (String id : unacknowledged) {
            Sinks.Empty<Void> waiter = ownWrites.remove(id);
            if (waiter != null) {
                waiter.tryEmitEmpty();
            }
        }
        unacknowledged.clear();
    }

    private void failUnacknowledged() {
        unacknowledged.forEach(id -> fail(id, true));
        unacknowledged.clear();
    }

    /** Own updates among events that are dropped unapplied here: their writers learn it. */
    private void failOwnUpdates(List<GroupEvent> events) {
        for (GroupEvent e : events) {
            if (e instanceof GroupMessage m && m.type() == MapCommand.UPDATE_TYPE) {
                fail(m.decode(MapCommand.UPDATES).id(), true);
            }
        }
    }

    private void fail(String updateId, boolean sent) {
        Sinks.Empty<Void> waiter = ownWrites.remove(updateId);
        if (waiter != null) {
            waiter.tryEmitError(new NotPrimaryException(group, sent));
        }
    }

    /** The session's events ended in error (its daemon went away, say): writes waiting here never complete. */
    private void streamFailed(Throwable error) {
        for (String id : List.copyOf(ownWrites.keySet())) {
            Sinks.Empty<Void> waiter = ownWrites.remove(id);
            if (waiter != null) {
                waiter.tryEmitError(error);
            }
        }
    }

    /** For tests: stop sending snapshots, as a member that is about to fail would. */
    void muteSnapshots() {
        sendsSnapshots = false;
    }

    /** For tests: watch this replica's events and applied updates (called under the replica's lock). */
    void probe(Probe p) {
        probe = Objects.requireNonNull(p, "probe");
    }

    /**
     * For tests: stop applying at once, without leaving, as a replica whose process died would; its
     * writes in flight never complete.
     */
    void crash() {
        Disposable d = applying;
        if (d != null) {
            d.dispose();
        }
    }

    /** For tests: what a replica saw and applied, in its order. */
    interface Probe {
        Probe NONE = new Probe() {
        };

        default void event(GroupEvent event) {
        }

        default void applied(MapCommand.Update update) {
        }

        /** The replica took the state of {@code from} at {@code version} (its own empty one when alone). */
        default void installed(String from, long version) {
        }
    }
}
