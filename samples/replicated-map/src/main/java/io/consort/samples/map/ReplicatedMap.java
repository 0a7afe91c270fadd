package io.consort.samples.map;

import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import java.util.ArrayList;
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
 * A key-value map replicated over a Consort group. Every write is an AGREED multicast, and every replica
 * applies the group's events one at a time in the group's one order, so replicas that applied the same
 * prefix hold the same map.
 *
 * <p>A replica that joins late gets the state by transfer: every replica sees the JOIN view at the same
 * place in the order, and one settled member (the first in the view that is not itself waiting) sends a
 * snapshot of the state as it stood right after that view, naming the view. The joiner buffers what it
 * receives from its own join view on; when its snapshot arrives it drops what it buffered up to the named
 * view (already in the snapshot) and replays the rest (not in it): no gap, no duplicate. If the chosen
 * sender leaves first, the next view names a new sender, who cuts a snapshot at that view.
 *
 * <p><b>Daemon failures and partitions (NETWORK views).</b> When daemons fail or the network splits,
 * each replica gets a {@link io.consort.reactive.TransitionalSignal}, then the rest of the old view's
 * messages, then a NETWORK view whose {@code vsSet} lists the members that came through the change with
 * it. Virtual synchrony guarantees that members of one vs-set delivered the same messages in the same
 * order, the transitional remainder included, so the map applies that remainder like any other messages
 * and the rule at a NETWORK view is:
 * <ul>
 *   <li><i>Members of the same vs-set keep their state.</i> When the view only lost members (a daemon
 *       died: {@code members} equals {@code vsSet}), nothing else happens: the departed are dropped from
 *       the members waiting for a snapshot, and if the member that owed a snapshot is gone, the first
 *       settled member that remains sends it, cut at this view.</li>
 *   <li><i>When components merge</i> (members outside this replica's vs-set), their states may differ,
 *       and the map is not commutative, so one component's state wins: the component (vs-set) of the
 *       view's first member. Its replicas keep their state and count every member outside their vs-set
 *       as waiting for a snapshot; the replicas of the other components drop their state and take the
 *       winner's by transfer, cut at this view, exactly like a late joiner. So writes acknowledged in a
 *       losing component during the partition are discarded at the merge: if that is not acceptable,
 *       accept writes only in a primary (majority) component. If the winning component holds no settled
 *       replica (only joiners that never got the state), nobody can send and the others wait.</li>
 * </ul>
 * Acknowledged means applied by the writer: an AGREED write that its replica applied, on a daemon that
 * then died before the others received it, is not applied by the survivors (SAFE delivery would give
 * that guarantee, at the cost of latency).
 *
 * <pre>{@code
 * Session session = ConsortClient.create().port(4803).connect().block();
 * ReplicatedMap map = ReplicatedMap.join(session, "inventory").block(); // settled: has the state
 * map.put("apples", "12").block();                                       // applied here when it completes
 * map.get("apples");                                                     // "12"
 * map.close().block();
 * }</pre>
 */
public final class ReplicatedMap {
    private final Session session;
    private final String group;
    private final String me;
    private final AtomicLong nextUpdate = new AtomicLong();
    /** Writers waiting for their own update to be applied, by update id. */
    private final Map<String, Sinks.Empty<Void>> ownWrites = new ConcurrentHashMap<>();
    private final Sinks.One<ReplicatedMap> settled = Sinks.one();
    private final Sinks.Many<Long> versions = Sinks.many().replay().latest();
    /** Events from this replica's join view on, kept until its snapshot arrives. */
    private final List<GroupEvent> buffered = new ArrayList<>();
    private @Nullable MapState state;
    private @Nullable Disposable applying;
    /** Tests turn this off to play a member that leaves before it sends the snapshot it owes. */
    private volatile boolean sendsSnapshots = true;
    /** What tests watch: every event as it is handled, and every update as it is applied. */
    private volatile Probe probe = Probe.NONE;

    private ReplicatedMap(Session session, String group) {
        this.session = session;
        this.group = group;
        this.me = session.privateName();
    }

    /** Joins {@code group} as a replica; emits it once it holds the group's state. */
    public static Mono<ReplicatedMap> join(Session session, String group) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(group, "group");
        return Mono.defer(() -> {
            ReplicatedMap map = new ReplicatedMap(session, group);
            // One subscriber, concatMap: events are handled strictly one after another in the group's order,
            // and the stream is subscribed before the join so the join view is its first event.
            map.applying = session.events(group).concatMap(map::onEvent).subscribe();
            return session.join(group).then(map.settled.asMono());
        });
    }

    /** Sets {@code key} to {@code value}; completes once this replica applied it (read your writes). */
    public Mono<Void> put(String key, String value) {
        return tracked(key, value).then();
    }

    /** Removes {@code key}; completes once this replica applied it. */
    public Mono<Void> remove(String key) {
        return tracked(key, null).then();
    }

    /** For tests: puts (or removes, for null) and emits the update's id once this replica applied it. */
    Mono<String> tracked(String key, @Nullable String value) {
        MapCommand.Update update = new MapCommand.Update(me + ":" + nextUpdate.incrementAndGet(), key, value);
        return write(update).thenReturn(update.id());
    }

    private Mono<Void> write(MapCommand.Update update) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> applied = Sinks.empty();
            ownWrites.put(update.id(), applied);
            return session.multicast(OutgoingMessage.to(group).level(ServiceLevel.AGREED)
                            .type(MapCommand.UPDATE_TYPE).payload(update, MapCommand.UPDATES))
                    .doOnError(e -> ownWrites.remove(update.id()))
                    .then(applied.asMono());
        });
    }

    /** The value of {@code key} at this replica now, or null. */
    public synchronized @Nullable String get(String key) {
        return state == null ? null : state.get(key);
    }

    /** A copy of this replica's entries now. */
    public synchronized Map<String, String> entries() {
        return state == null ? Map.of() : state.entries();
    }

    /** How many updates the group's state has applied, here, now. */
    public synchronized long version() {
        return state == null ? 0 : state.version();
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
        return handle(event);
    }

    private Mono<Void> handle(GroupEvent event) {
        if (state != null) {
            return applySettled(event);
        }
        buffered.add(event);
        if (buffered.size() == 1 && event instanceof GroupView v && v.members().equals(List.of(me))) {
            // Alone in the group: nobody holds older state, so the state starts empty here.
            install(new MapState(), 1);
        } else if (event instanceof GroupMessage m && m.type() == MapCommand.SNAPSHOT_TYPE) {
            MapCommand.Snapshot s = m.decode(MapCommand.SNAPSHOTS);
            if (s.recipients().contains(me)) {
                install(MapState.of(s), indexAfterView(s));
            }
        }
        return Mono.empty();
    }

    /** Takes {@code initial} as the state and replays the buffered events from {@code from} on. */
    private void install(MapState initial, int from) {
        state = initial;
        List<GroupEvent> rest = new ArrayList<>(buffered.subList(from, buffered.size()));
        buffered.clear();
        versions.tryEmitNext(initial.version());
        for (GroupEvent e : rest) {
            // Snapshots due from this replica while it was waiting are sent now, cut where they belong;
            // a NETWORK view in the rest may take the state away again, and handle() buffers from there on.
            handle(e).subscribe();
        }
        if (state != null) {
            settled.tryEmitValue(this);
        }
    }

    private int indexAfterView(MapCommand.Snapshot s) {
        for (int i = 0; i < buffered.size(); i++) {
            if (buffered.get(i) instanceof GroupView v && v.id().equals(s.cut())) {
                return i + 1;
            }
        }
        // The cut is a view this replica saw after joining, or it would not be a recipient.
        throw new IllegalStateException("snapshot cut at view " + s.cut() + " which " + me + " never saw");
    }

    private Mono<Void> applySettled(GroupEvent event) {
        MapState s = Objects.requireNonNull(state);
        if (event instanceof GroupMessage m && m.type() == MapCommand.UPDATE_TYPE) {
            MapCommand.Update u = m.decode(MapCommand.UPDATES);
            s.apply(u);
            probe.applied(u);
            versions.tryEmitNext(s.version());
            Sinks.Empty<Void> waiter = ownWrites.remove(u.id());
            if (waiter != null) {
                waiter.tryEmitEmpty();
            }
        } else if (event instanceof GroupMessage m && m.type() == MapCommand.SNAPSHOT_TYPE) {
            s.pending().removeAll(m.decode(MapCommand.SNAPSHOTS).recipients());
        } else if (event instanceof GroupView v && !v.selfLeave()) {
            if (v.cause() == ViewCause.JOIN) {
                s.pending().addAll(v.changed());
            } else if (v.cause() == ViewCause.NETWORK && !v.vsSet().containsAll(v.members())) {
                if (!v.vsSet().contains(v.members().get(0))) {
                    // Merged into a component whose state wins: take its state by transfer, cut at this view.
                    state = null;
                    buffered.clear();
                    buffered.add(v);
                    return Mono.empty();
                }
                // This component's state wins: everyone who did not come through the change with us waits.
                for (String member : v.members()) {
                    if (!v.vsSet().contains(member)) {
                        s.pending().add(member);
                    }
                }
            }
            s.pending().retainAll(v.members());
            return sendSnapshotIfMine(v, s);
        }
        return Mono.empty();
    }

    /** The first member of the view not itself waiting sends; every replica agrees who that is. */
    private Mono<Void> sendSnapshotIfMine(GroupView v, MapState s) {
        if (s.pending().isEmpty()) {
            return Mono.empty();
        }
        String sender = v.members().stream().filter(m -> !s.pending().contains(m)).findFirst().orElse(null);
        if (!me.equals(sender) || !sendsSnapshots) {
            return Mono.empty();
        }
        return session.multicast(OutgoingMessage.to(group).level(ServiceLevel.AGREED)
                .type(MapCommand.SNAPSHOT_TYPE).payload(s.snapshot(v.id()), MapCommand.SNAPSHOTS));
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
    }
}
