package io.consort.samples.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ViewCause;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupView;
import io.consort.reactive.Session;
import io.consort.reactive.TransitionalSignal;
import io.consort.reactive.daemon.DaemonOptions;
import io.consort.reactive.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Three daemons of one ring (wired in memory), one replica on each, a seeded random workload of puts and
 * removes from all three; mid-way one daemon is killed (its datagrams stop both ways and its replica stops
 * applying at once, without leaving: nothing graceful reaches the others), and the workload goes on at the
 * survivors. At the end the survivors applied the same updates in the same order, their maps equal the
 * model (the issued operations folded in that order), every write acknowledged by a survivor is in it
 * once, and a replica that joins late on a surviving daemon gets the same map by state transfer.
 */
class ReplicatedMapDaemonFailureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int KEYS = 12;
    private static final int OPS = 600;

    private final InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();

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

    /** What a replica saw (events) and applied (update ids), in its order. */
    private static final class Recorder implements ReplicatedMap.Probe {
        final List<GroupEvent> events = new ArrayList<>();
        final List<MapCommand.Update> applied = new ArrayList<>();
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
            applied.add(update);
        }

        synchronized List<String> ids() {
            return applied.stream().map(MapCommand.Update::id).toList();
        }

        synchronized List<GroupEvent> events() {
            return List.copyOf(events);
        }
    }

    @org.junit.jupiter.api.Disabled("KNOWN FAILURE, intermittent (about 1 run in 3 of the four seeds): right after "
            + "the kill the two survivor daemons do not form a ring together but each a ring of its own, then merge "
            + "(NETWORK [r1] vs-set [r1], then [r1, r2] vs-set [r1]); each survivor's writes in between are "
            + "delivered only to itself, and the map's merge rule then discards the losing side's acknowledged "
            + "writes. Also seen: a live daemon split off before any kill, and once a join that never settled. "
            + "Enable to reproduce; the failure message shows both survivors' events around the change.")
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
                replicas.add(ReplicatedMap.join(s, "map").doOnNext(m -> m.probe(rec)).block(TIMEOUT));
            } catch (IllegalStateException timeout) {
                throw new AssertionError("seed " + seed + ": " + s.privateName() + " did not get the state before "
                        + "the workload:\n" + diagnose(names, replicas, recorders), timeout);
            }
        }
        // Each replica only applies what comes after its own settling; the probe sees from there on.
        List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
        survivors.remove(Integer.valueOf(victim));

        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < OPS; i++) {
            // Few keys, so writes from different replicas race on the same key; one in five removes.
            ops.add(new Op(i, random.nextInt(3), "k" + random.nextInt(KEYS), random.nextInt(5) == 0 ? "" : "v" + i));
        }

        // Issued writes per writer, in the order of their ids (writer:1, writer:2, ...).
        Map<String, List<Op>> issued = new ConcurrentHashMap<>();
        names.forEach(n -> issued.put(n, new ArrayList<>()));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger ackCount = new AtomicInteger();
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
            return write.doOnNext(id -> {
                acked.add(id);
                if (ackCount.incrementAndGet() == OPS / 2 && killStarted.compareAndSet(false, true)) {
                    Schedulers.boundedElastic().schedule(kill);
                }
            });
        }), 8).then().block(TIMEOUT);
        assertThat(killStarted).as("the kill happened mid-way").isTrue();

        ReplicatedMap a = replicas.get(survivors.get(0));
        ReplicatedMap b = replicas.get(survivors.get(1));
        Recorder ra = recorders.get(survivors.get(0));
        Recorder rb = recorders.get(survivors.get(1));
        // A fence from each survivor: once both are applied at both, nothing else is coming (the victim is
        // gone and the survivors stopped), so the one with the higher version after its fence holds them all.
        Mono.when(a.put("fence", "a"), b.put("fence", "b")).block(TIMEOUT);
        long total = Math.max(a.version(), b.version());
        try {
            Flux.merge(a.awaitVersion(total), b.awaitVersion(total)).then().block(TIMEOUT);
        } catch (IllegalStateException timeout) {
            throw new AssertionError("survivors did not converge after the kill (seed " + seed + ", total " + total
                    + "):\n" + diagnose(names, replicas, recorders), timeout);
        }

        // Whatever the ring did, the map keeps its replicas identical.
        assertThat(b.version()).as("seed %d: versions", seed).isEqualTo(a.version()).isEqualTo(total);
        assertThat(b.entries()).as("seed %d: b vs a", seed).isEqualTo(a.entries());

        // The ring: on this lossless network nobody but the victim may drop out, so every NETWORK view a
        // survivor sees has all its members in its vs-set (the map keeps state, nothing is discarded), and
        // the survivors never see a view without each other. A split of the survivors (each in a ring of its
        // own, then merged) would make the map discard one side's acknowledged writes: a ring failure.
        List<String> survivorNames = survivors.stream().map(names::get).toList();
        for (Recorder r : List.of(ra, rb)) {
            for (GroupEvent e : r.events()) {
                if (e instanceof GroupView v && v.cause() == ViewCause.NETWORK
                        && (!v.members().containsAll(survivorNames) || !v.vsSet().containsAll(v.members()))) {
                    throw new AssertionError("seed " + seed + ": the ring split the survivors or dropped a live "
                            + "daemon (victim " + names.get(victim) + "): " + describe(v) + "\n"
                            + divergence(names, survivors, recorders));
                }
            }
        }

        // The survivors applied the same updates in the same order.
        if (!rb.ids().equals(ra.ids())) {
            throw new AssertionError("seed " + seed + ": the survivors applied different updates (victim "
                    + names.get(victim) + ")\n" + divergence(names, survivors, recorders));
        }

        // The model: the issued operations (not what the replicas decoded) folded in that order.
        Map<String, String> model = new TreeMap<>();
        Map<String, Integer> lastSeen = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (MapCommand.Update u : ra.applied) {
            assertThat(seen.add(u.id())).as("seed %d: %s applied twice", seed, u.id()).isTrue();
            if (u.key().equals("fence")) {
                model.put(u.key(), u.value());
                continue;
            }
            String writer = u.id().substring(0, u.id().lastIndexOf(':'));
            int n = Integer.parseInt(u.id().substring(u.id().lastIndexOf(':') + 1));
            // Per writer, in the order it sent and with no hole (AGREED is FIFO, and after a hole the
            // transitional configuration delivers only its own members' messages).
            assertThat(n).as("seed %d: %s follows %s:%s", seed, u.id(), writer, lastSeen.get(writer))
                    .isEqualTo(lastSeen.getOrDefault(writer, 0) + 1);
            lastSeen.put(writer, n);
            Op op = issued.get(writer).get(n - 1);
            assertThat(u.key()).isEqualTo(op.key());
            assertThat(u.value()).isEqualTo(op.valueOrNull());
            if (op.value().isEmpty()) {
                model.remove(op.key());
            } else {
                model.put(op.key(), op.value());
            }
        }
        assertThat(a.entries()).as("seed %d: survivors vs the model of the applied log", seed).isEqualTo(model);

        // Every write a survivor acknowledged is there (and the survivors' writes all were acknowledged).
        for (int s : survivors) {
            String writer = names.get(s);
            assertThat(lastSeen.getOrDefault(writer, 0)).as("seed %d: %s's writes in the log", seed, writer)
                    .isEqualTo(issued.get(writer).size());
        }
        Set<String> survivorAcked = new HashSet<>(acked);
        survivorAcked.removeIf(id -> id.startsWith(names.get(victim) + ":"));
        assertThat(seen).as("seed %d: acknowledged survivors' writes", seed).containsAll(survivorAcked);
        // The victim's: a prefix of what it sent. Its acknowledged writes that are missing could only be
        // ones its daemon ordered just before it died and nobody else received (AGREED, not SAFE): reported.
        String victimName = names.get(victim);
        int victimApplied = lastSeen.getOrDefault(victimName, 0);
        long victimAcked = acked.stream().filter(id -> id.startsWith(victimName + ":")).count();
        long victimAckedMissing = acked.stream().filter(id -> id.startsWith(victimName + ":"))
                .filter(id -> !seen.contains(id)).count();
        System.out.printf("seed %d: %d updates applied; victim %s sent %d, acknowledged %d, survivors applied %d "
                        + "(acknowledged but missing: %d)%n", seed, total, victimName, issued.get(victimName).size(),
                victimAcked, victimApplied, victimAckedMissing);

        // Each survivor saw the kill as a transitional signal, then a NETWORK view of the two of them, whose
        // vs-set is the two of them: they keep their state. (The ring may also re-form without losing anyone,
        // e.g. on a token loss under load: a NETWORK view of the same members, all in the vs-set.)
        for (Recorder r : List.of(ra, rb)) {
            List<GroupEvent> events = r.events();
            System.out.println("seed " + seed + ": views and signals " + events.stream()
                    .filter(e -> !(e instanceof io.consort.reactive.GroupMessage)).map(e -> e instanceof GroupView v
                            ? v.cause() + " " + v.id() + " " + v.members() + " vs " + v.vsSet()
                            : "transitional " + ((TransitionalSignal) e).previous()).toList());
            int network = indexOf(events, e -> e instanceof GroupView v && v.cause() == ViewCause.NETWORK
                    && !v.members().contains(victimName));
            assertThat(network).as("seed %d: a NETWORK view without the victim", seed).isPositive();
            GroupView v = (GroupView) events.get(network);
            assertThat(v.members()).containsExactlyInAnyOrderElementsOf(survivorNames);
            assertThat(v.vsSet()).containsExactlyInAnyOrderElementsOf(survivorNames);
            int lastView = -1;
            for (int i = 0; i < network; i++) {
                if (events.get(i) instanceof GroupView w) {
                    lastView = i;
                    assertThat(w.vsSet()).as("seed %d: an earlier NETWORK view lost nobody", seed)
                            .containsExactlyInAnyOrderElementsOf(w.cause() == ViewCause.NETWORK ? w.members() : List.of());
                }
            }
            assertThat(events.subList(lastView + 1, network)).as("seed %d: transitional signal before it", seed)
                    .anyMatch(e -> e instanceof TransitionalSignal);
        }

        // A replica joining late on a surviving daemon gets the same map by state transfer.
        int host = survivors.get(random.nextInt(2));
        Recorder lateRecorder = new Recorder();
        Session lateSession = session(host, "late");
        ReplicatedMap late = ReplicatedMap.join(lateSession, "map").doOnNext(m -> m.probe(lateRecorder)).block(TIMEOUT);
        assertThat(late.version()).as("seed %d: late joiner's version", seed).isEqualTo(total);
        assertThat(late.entries()).as("seed %d: late joiner vs survivors", seed).isEqualTo(a.entries());
        // And goes on with them.
        late.put("after", "late").block(TIMEOUT);
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
        assertThat(late.entries()).isEqualTo(a.entries()).isEqualTo(b.entries()).containsEntry("after", "late");
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

    private static int indexOf(List<GroupEvent> events, java.util.function.Predicate<GroupEvent> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
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
