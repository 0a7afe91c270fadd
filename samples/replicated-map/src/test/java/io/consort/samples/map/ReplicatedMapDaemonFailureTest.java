package io.consort.samples.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupView;
import io.consort.reactive.Session;
import io.consort.reactive.TransitionalSignal;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.InMemoryDaemonNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Three daemons of one ring (wired in memory), one replica of a three-replica map on each, a seeded random
 * workload of puts and removes from all three; mid-way one daemon is killed (its datagrams stop both ways and its
 * replica stops applying at once, without leaving: nothing graceful reaches the others), and the workload goes on
 * at the survivors. A write refused with {@link NotPrimaryException} (a component that is not primary, as while
 * the ring re-forms, or while the two survivors are split into rings of one each, which EVS allows) is retried,
 * with a backoff and a bounded number of attempts, as a new write. At the end the survivors hold the same map,
 * which is the issued writes of one history folded in order, each applied once; every write acknowledged by
 * anyone, the victim included, is in it; and a replica that joins late on a surviving daemon gets the same map by transfer.
 */
class ReplicatedMapDaemonFailureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int KEYS = 12;
    private static final int OPS = 600;
    private static final int REPLICAS = 3;

    private final InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();
    /** One clock for every recorder, to tell which of two events at different replicas came first. */
    private final AtomicLong clock = new AtomicLong();

    @AfterEach
    void stop() {
        for (Session s : sessions) {
            try {
                s.close().block(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // the killed daemon's session, if its daemon no longer answers: nothing to be graceful with
            }
        }
        daemons.forEach(EmbeddedDaemon::close);
    }

    private static EngineConfig engine(int id) {
        return EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                .withIncarnation(System.currentTimeMillis());
    }

    /** One write of the workload, drawn from the seed before anything runs; an empty value removes. */
    private record Op(int index, int replica, String key, String value) {
        String valueOrNull() {
            return value.isEmpty() ? null : value;
        }
    }

    private record Applied(long tick, MapCommand.Update update) {
    }

    private record Installed(long tick, String from, long version) {
    }

    /** What a replica saw (events), applied (updates) and installed (snapshots), in its order. */
    private final class Recorder implements ReplicatedMap.Probe {
        final List<GroupEvent> events = new ArrayList<>();
        final List<Applied> applied = new ArrayList<>();
        final List<Installed> installed = new ArrayList<>();
        /** One line per event, for failure reports. */
        final List<String> trace = new ArrayList<>();

        @Override
        public synchronized void event(GroupEvent event) {
            events.add(event);
            trace.add(describe(event));
        }

        synchronized void mark(String what) {
            trace.add("-- " + what + " (applied so far " + applied.size() + ")");
        }

        synchronized List<String> trace() {
            return List.copyOf(trace);
        }

        @Override
        public synchronized void applied(MapCommand.Update update) {
            applied.add(new Applied(clock.incrementAndGet(), update));
        }

        @Override
        public synchronized void installed(String from, long version) {
            installed.add(new Installed(clock.incrementAndGet(), from, version));
            trace.add("-- installed the state of " + from + " at version " + version);
        }

        synchronized List<String> ids() {
            return applied.stream().map(a -> a.update().id()).toList();
        }

        synchronized List<GroupEvent> events() {
            return List.copyOf(events);
        }

        synchronized List<Applied> applied() {
            return List.copyOf(applied);
        }

        synchronized List<Installed> installed() {
            return List.copyOf(installed);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 11, 64, 2026})
    void survivorsOfADaemonKilledMidWorkloadHoldTheAcknowledgedMapAndALateJoinerGetsIt(long seed) {
        Random random = new Random(seed);
        int victim = random.nextInt(3);
        System.out.println("ReplicatedMapDaemonFailureTest seed " + seed + ", killing daemon d" + (victim + 1));

        for (int d = 1; d <= 3; d++) {
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine(d)),
                    net.endpoint(d)));
        }
        await().atMost(TIMEOUT).until(() -> allMatch(d -> d.configurationMembers().equals(List.of(1, 2, 3))));

        List<ReplicatedMap> replicas = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Session s = session(i, "r" + (i + 1));
            names.add(s.privateName());
            Recorder rec = new Recorder();
            recorders.add(rec);
            try {
                replicas.add(ReplicatedMap.join(s, "map", REPLICAS).doOnNext(m -> m.probe(rec)).block(TIMEOUT));
            } catch (IllegalStateException timeout) {
                throw new AssertionError("seed " + seed + ": " + s.privateName() + " did not get the state before "
                        + "the workload:\n" + diagnose(names, replicas, recorders), timeout);
            }
        }
        // Each replica only records what comes after its own settling, before any write.
        List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
        survivors.remove(Integer.valueOf(victim));
        await().atMost(TIMEOUT).until(() -> replicas.stream().allMatch(ReplicatedMap::isPrimary));

        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < OPS; i++) {
            // Few keys, so writes from different replicas race on the same key; one in five removes.
            ops.add(new Op(i, random.nextInt(3), "k" + random.nextInt(KEYS), random.nextInt(5) == 0 ? "" : "v" + i));
        }

        // Issued writes per writer, in the order of their ids (writer:1, writer:2, ...): every attempt of an op
        // is a write of its own, refused ones included, so the list index is the id's counter minus one.
        Map<String, List<Op>> issued = new ConcurrentHashMap<>();
        names.forEach(n -> issued.put(n, new ArrayList<>()));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger ackCount = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        AtomicBoolean killStarted = new AtomicBoolean();
        AtomicBoolean isDead = new AtomicBoolean();
        Sinks.Empty<Void> killed = Sinks.empty();
        ReplicatedMap dead = replicas.get(victim);

        Runnable kill = () -> {
            recorders.forEach(r -> r.mark("killing d" + (victim + 1)));
            net.kill(victim + 1);
            dead.crash();
            isDead.set(true);
            killed.tryEmitEmpty();
        };
        Flux.fromIterable(ops).flatMap(op -> Mono.defer(() -> {
            int target = op.replica() == victim && isDead.get() ? survivors.get(op.index() % 2) : op.replica();
            String writer = names.get(target);
            List<Op> mine = issued.get(writer);
            Mono<String> write;
            synchronized (mine) {
                write = replicas.get(target).tracked(op.key(), op.valueOrNull());
                mine.add(op);
            }
            if (target == victim) {
                // The victim's writes in flight when it dies never complete: they are in doubt.
                write = write.takeUntilOther(killed.asMono());
            }
            return write.doOnError(NotPrimaryException.class, e -> refusals.incrementAndGet());
        }).retryWhen(notPrimary()).doOnNext(id -> {
            acked.add(id);
            if (ackCount.incrementAndGet() == OPS / 2 && killStarted.compareAndSet(false, true)) {
                Schedulers.boundedElastic().schedule(kill);
            }
        }), 8).then().block(TIMEOUT);
        assertThat(killStarted).as("the kill happened mid-way").isTrue();

        ReplicatedMap a = replicas.get(survivors.get(0));
        ReplicatedMap b = replicas.get(survivors.get(1));
        Recorder ra = recorders.get(survivors.get(0));
        Recorder rb = recorders.get(survivors.get(1));
        // A fence from each survivor, acknowledged; then both hold the same map in one primary component.
        Mono.when(a.put("fence", "a").retryWhen(notPrimary()), b.put("fence", "b").retryWhen(notPrimary()))
                .block(TIMEOUT);
        try {
            await().atMost(TIMEOUT).until(() -> a.isPrimary() && b.isPrimary() && a.version() == b.version()
                    && a.entries().equals(b.entries()));
        } catch (org.awaitility.core.ConditionTimeoutException timeout) {
            throw new AssertionError("survivors did not converge after the kill (seed " + seed + "):\n"
                    + diagnose(names, replicas, recorders), timeout);
        }
        long total = a.version();
        Map<String, String> finalMap = a.entries();
        assertThat(b.entries()).as("seed %d: b vs a", seed).isEqualTo(finalMap);

        // The history the final map is made of, traced back through the snapshots each survivor installed; the
        // other survivor's must be the same.
        Map<String, Recorder> byName = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            byName.put(names.get(i), recorders.get(i));
        }
        long now = clock.incrementAndGet();
        List<MapCommand.Update> history = history(byName, names.get(survivors.get(0)), now);
        assertThat(history.stream().map(MapCommand.Update::id).toList()).as("seed %d: both survivors' histories", seed)
                .isEqualTo(history(byName, names.get(survivors.get(1)), now).stream()
                        .map(MapCommand.Update::id).toList());
        assertThat((long) history.size()).as("seed %d: history vs version", seed).isEqualTo(total);

        // The model: the issued operations (not what the replicas decoded) folded in the history's order.
        Map<String, String> model = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (MapCommand.Update u : history) {
            assertThat(seen.add(u.id())).as("seed %d: %s applied twice", seed, u.id()).isTrue();
            if (u.key().equals("fence")) {
                model.put(u.key(), u.value());
                continue;
            }
            String writer = u.id().substring(0, u.id().lastIndexOf(':'));
            int n = Integer.parseInt(u.id().substring(u.id().lastIndexOf(':') + 1));
            // No per-writer order check here: a retry resubscribes on a timer thread, so an id taken under the
            // lock may be sent after a later one (the ring's FIFO order is the simulator's to check).
            Op op = issued.get(writer).get(n - 1);
            assertThat(u.key()).isEqualTo(op.key());
            assertThat(u.value()).isEqualTo(op.valueOrNull());
            if (op.value().isEmpty()) {
                model.remove(op.key());
            } else {
                model.put(op.key(), op.value());
            }
        }
        assertThat(finalMap).as("seed %d: survivors vs the model of their history", seed).isEqualTo(model);

        // Every acknowledged write is in it: the survivors' and the victim's (SAFE, acknowledged only once a
        // majority held the state, so a survivor applied it).
        Set<String> missing = new TreeSet<>(acked);
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            throw new AssertionError("seed " + seed + ": acknowledged writes missing from the survivors' map: "
                    + missing + "\n" + divergence(names, survivors, recorders));
        }
        String victimName = names.get(victim);
        System.out.printf("seed %d: %d updates in the final history; %d writes acknowledged, %d refused as not "
                        + "primary and retried; victim %s sent %d, acknowledged %d%n", seed, total, acked.size(),
                refusals.get(), victimName, issued.get(victimName).size(),
                acked.stream().filter(id -> id.startsWith(victimName + ":")).count());
        for (Recorder r : List.of(ra, rb)) {
            System.out.println("seed " + seed + ": views and signals " + r.events().stream()
                    .filter(e -> !(e instanceof io.consort.reactive.GroupMessage)).map(e -> e instanceof GroupView v
                            ? v.cause() + " " + v.id() + " " + v.members() + " vs " + v.vsSet()
                            : "transitional " + ((TransitionalSignal) e).previous()).toList());
        }

        // A replica joining late on a surviving daemon gets the same map by state transfer.
        int host = survivors.get(random.nextInt(2));
        Recorder lateRecorder = new Recorder();
        Session lateSession = session(host, "late");
        ReplicatedMap late = ReplicatedMap.join(lateSession, "map", REPLICAS).doOnNext(m -> m.probe(lateRecorder))
                .block(TIMEOUT);
        assertThat(late.version()).as("seed %d: late joiner's version", seed).isEqualTo(total);
        assertThat(late.entries()).as("seed %d: late joiner vs survivors", seed).isEqualTo(finalMap);
        // And goes on with them.
        late.put("after", "late").retryWhen(notPrimary()).block(TIMEOUT);
        try {
            Flux.merge(a.awaitVersion(total + 1), b.awaitVersion(total + 1)).then().block(TIMEOUT);
        } catch (IllegalStateException timeout) {
            throw new AssertionError("survivors did not apply the late joiner's write (seed " + seed + ", total "
                    + total + "):\n" + diagnose(
                    java.util.stream.Stream.concat(names.stream(), java.util.stream.Stream.of(lateSession.privateName())).toList(),
                    java.util.stream.Stream.concat(replicas.stream(), java.util.stream.Stream.of(late)).toList(),
                    java.util.stream.Stream.concat(recorders.stream(), java.util.stream.Stream.of(lateRecorder)).toList()),
                    timeout);
        }
        await().atMost(TIMEOUT).until(() -> late.entries().equals(a.entries()) && b.entries().equals(a.entries()));
        assertThat(late.entries()).containsEntry("after", "late");
    }

    /** Retries a write refused outside a primary component: bounded attempts, backoff, a deadline overall. */
    private static Retry notPrimary() {
        return Retry.backoff(40, Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(500))
                .filter(NotPrimaryException.class::isInstance);
    }

    /**
     * The updates that make up replica {@code name}'s state as of tick {@code upto}: the history of the replica
     * whose snapshot it last installed, up to the snapshot's version, then what it applied itself. Each step goes
     * to an earlier tick, so this ends.
     */
    private static List<MapCommand.Update> history(Map<String, Recorder> byName, String name, long upto) {
        Recorder r = Objects.requireNonNull(byName.get(name), name);
        Installed last = null;
        for (Installed i : r.installed()) {
            if (i.tick() < upto) {
                last = i;
            }
        }
        List<MapCommand.Update> result = new ArrayList<>();
        long from = 0;
        if (last != null && !(last.from().equals(name) && last.version() == 0)) {
            List<MapCommand.Update> base = history(byName, last.from(), last.tick());
            assertThat((long) base.size()).as("%s's history when %s took its state", last.from(), name)
                    .isGreaterThanOrEqualTo(last.version());
            result.addAll(base.subList(0, (int) last.version()));
            from = last.tick();
        } else if (last != null) {
            from = last.tick();
        }
        for (Applied a : r.applied()) {
            if (a.tick() > from && a.tick() < upto) {
                result.add(a.update());
            }
        }
        return result;
    }

    private static String describe(GroupEvent e) {
        if (e instanceof io.consort.reactive.GroupMessage m) {
            String what = m.type() == MapCommand.UPDATE_TYPE ? "update " + m.decode(MapCommand.UPDATES).id()
                    : m.type() == MapCommand.SNAPSHOT_TYPE ? "snapshot" : "type " + m.type();
            return what + " (from " + m.sender() + ", " + m.level() + ", seq " + m.sequence() + ")";
        }
        if (e instanceof GroupView v) {
            return "VIEW " + v.cause() + " " + v.id() + " " + v.members() + " vs-set " + v.vsSet();
        }
        return "TRANSITIONAL after " + ((TransitionalSignal) e).previous();
    }

    /** The two logs, and where they part: each survivor's events around there. */
    private static String divergence(List<String> names, List<Integer> survivors, List<Recorder> recorders) {
        Recorder ra = recorders.get(survivors.get(0));
        Recorder rb = recorders.get(survivors.get(1));
        List<String> a = ra.ids();
        List<String> b = rb.ids();
        int first = 0;
        while (first < a.size() && first < b.size() && a.get(first).equals(b.get(first))) {
            first++;
        }
        StringBuilder sb = new StringBuilder("applied logs: " + names.get(survivors.get(0)) + " " + a.size() + ", "
                + names.get(survivors.get(1)) + " " + b.size() + "; first difference at index " + first + "\n");
        Set<String> onlyA = new java.util.LinkedHashSet<>(a);
        b.forEach(onlyA::remove);
        Set<String> onlyB = new java.util.LinkedHashSet<>(b);
        a.forEach(onlyB::remove);
        sb.append("only at ").append(names.get(survivors.get(0))).append(": ").append(onlyA).append('\n');
        sb.append("only at ").append(names.get(survivors.get(1))).append(": ").append(onlyB).append('\n');
        for (int s : survivors) {
            List<String> trace = recorders.get(s).trace();
            int at = -1;
            for (int i = 0; i < trace.size() && at < 0; i++) {
                String line = trace.get(i);
                if (onlyA.stream().anyMatch(id -> line.startsWith("update " + id + " "))
                        || onlyB.stream().anyMatch(id -> line.startsWith("update " + id + " "))
                        || line.startsWith("TRANSITIONAL")) {
                    at = i;
                }
            }
            sb.append("events at ").append(names.get(s)).append(" around there:\n");
            for (int i = Math.max(0, at - 6); i < Math.min(trace.size(), at + 30); i++) {
                sb.append("  ").append(i).append(": ").append(trace.get(i)).append('\n');
            }
        }
        return sb.toString();
    }

    private Session session(int daemon, String name) {
        Session s = ConsortClient.create().port(daemons.get(daemon).port()).name(name).connect().block(TIMEOUT);
        sessions.add(s);
        return s;
    }

    private interface DaemonCheck {
        boolean test(EmbeddedDaemon d) throws InterruptedException;
    }

    private boolean allMatch(DaemonCheck check) throws InterruptedException {
        for (EmbeddedDaemon d : daemons) {
            if (!check.test(d)) {
                return false;
            }
        }
        return true;
    }

    private String diagnose(List<String> names, List<ReplicatedMap> replicas, List<Recorder> recorders) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < replicas.size(); i++) {
            List<String> ids = recorders.get(i).ids();
            List<String> trace = recorders.get(i).trace();
            sb.append(names.get(i)).append(": version ").append(replicas.get(i).version())
                    .append(", applied ").append(ids.size()).append(", views, signals and last events:\n");
            for (int t = 0; t < trace.size(); t++) {
                if (t >= trace.size() - 15 || !trace.get(t).startsWith("update ")) {
                    sb.append("  ").append(t).append(": ").append(trace.get(t)).append('\n');
                }
            }
        }
        for (int d = 0; d < daemons.size(); d++) {
            try {
                sb.append("d").append(d + 1).append(": configuration ").append(daemons.get(d).configurationId())
                        .append(" members ").append(daemons.get(d).configurationMembers())
                        .append(", held ").append(daemons.get(d).heldMessages()).append('\n');
            } catch (Exception e) {
                sb.append("d").append(d + 1).append(": ").append(e).append('\n');
            }
        }
        return sb.toString();
    }
}
