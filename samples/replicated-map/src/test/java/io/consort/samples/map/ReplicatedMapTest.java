package io.consort.samples.map;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class ReplicatedMapTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int KEYS = 12;

    private EmbeddedDaemon daemon;
    private final List<Session> sessions = new ArrayList<>();

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
    }

    @AfterEach
    void stop() {
        sessions.forEach(s -> s.close().block(TIMEOUT));
        daemon.close();
    }

    private ReplicatedMap replica(String name) {
        return ReplicatedMap.join(session(name), "map").block(TIMEOUT);
    }

    private Session session(String name) {
        Session s = ConsortClient.create().port(daemon.port()).name(name).connect().block(TIMEOUT);
        sessions.add(s);
        return s;
    }

    /** One write of the workload, drawn from the seed before anything runs. */
    private record Op(int replica, String key, String value) {
        Mono<Void> run(List<ReplicatedMap> replicas) {
            ReplicatedMap r = replicas.get(replica % replicas.size());
            return value.isEmpty() ? r.remove(key) : r.put(key, value);
        }
    }

    private static List<Op> workload(Random random, int count, String tag) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Few keys, so writes from different replicas race on the same key; one in five removes.
            ops.add(new Op(random.nextInt(3), "k" + random.nextInt(KEYS),
                    random.nextInt(5) == 0 ? "" : tag + i));
        }
        return ops;
    }

    private static Mono<Void> runConcurrently(List<Op> ops, List<ReplicatedMap> replicas) {
        return Flux.fromIterable(ops).flatMap(op -> op.run(replicas), 8).then();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42, 20261126})
    void threeReplicasHoldTheSameMapAfterARandomWorkloadWithALateJoiner(long seed) {
        System.out.println("ReplicatedMapTest seed " + seed);
        Random random = new Random(seed);
        ReplicatedMap a = replica("a");
        ReplicatedMap b = replica("b");
        List<ReplicatedMap> early = List.of(a, b);
        List<Op> before = workload(random, 150, "x");
        List<Op> during = workload(random, 150, "y");
        List<Op> after = workload(random, 100, "z");

        runConcurrently(before, early).block(TIMEOUT);
        // c joins while a and b keep writing: its snapshot is cut somewhere inside this traffic.
        AtomicReference<ReplicatedMap> late = new AtomicReference<>();
        Mono.when(runConcurrently(during, early),
                ReplicatedMap.join(session("c"), "map").doOnNext(late::set)).block(TIMEOUT);
        ReplicatedMap c = late.get();
        List<ReplicatedMap> all = List.of(a, b, c);
        runConcurrently(after, all).block(TIMEOUT);

        long total = before.size() + during.size() + after.size();
        Flux.fromIterable(all).flatMap(r -> r.awaitVersion(total)).blockLast(TIMEOUT);
        for (ReplicatedMap r : all) {
            // Exactly total: a gap would leave it short, a duplicate would push it past.
            assertThat(r.version()).as("version, seed %d", seed).isEqualTo(total);
        }
        assertThat(b.entries()).as("b vs a, seed %d", seed).isEqualTo(a.entries());
        assertThat(c.entries()).as("late joiner c vs a, seed %d", seed).isEqualTo(a.entries());
        assertThat(a.entries()).isNotEmpty();
    }

    @Test
    void whenTheChosenSenderLeavesWithoutSendingTheNextOneCutsASnapshotAtTheLeave() {
        ReplicatedMap a = replica("a");
        ReplicatedMap b = replica("b");
        a.put("fruit", "apple").then(b.put("veg", "leek")).block(TIMEOUT);
        a.muteSnapshots();

        // a is first in the view, so c's snapshot is a's to send; a stays silent.
        Mono<ReplicatedMap> joining = ReplicatedMap.join(session("c"), "map").cache();
        joining.subscribe();
        // Written after c's join view (c buffers it), before the snapshot that will be cut at a's leave.
        b.put("fruit", "pear").block(TIMEOUT);
        a.close().block(TIMEOUT);
        ReplicatedMap c = joining.block(TIMEOUT);

        b.put("nut", "hazel").block(TIMEOUT);
        c.awaitVersion(4).block(TIMEOUT);
        assertThat(c.entries()).isEqualTo(b.entries())
                .containsEntry("fruit", "pear").containsEntry("veg", "leek").containsEntry("nut", "hazel");
        assertThat(c.version()).isEqualTo(b.version()).isEqualTo(4);
    }

    @Test
    void twoReplicasJoiningTogetherBothGetTheState() {
        ReplicatedMap a = replica("a");
        a.put("k", "v").block(TIMEOUT);
        List<ReplicatedMap> joined = Flux.merge(ReplicatedMap.join(session("b"), "map"),
                ReplicatedMap.join(session("c"), "map")).collectList().block(TIMEOUT);
        for (ReplicatedMap r : joined) {
            assertThat(r.entries()).isEqualTo(a.entries());
            assertThat(r.version()).isEqualTo(1);
        }
    }
}
