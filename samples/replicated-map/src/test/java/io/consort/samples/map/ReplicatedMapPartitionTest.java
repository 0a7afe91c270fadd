package io.consort.samples.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.InMemoryDaemonNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Three daemons wired in memory, one replica of a three-replica map on each; the network is split 2/1 by a
 * switch, then healed. The minority's writes fail with {@link NotPrimaryException}, the majority's are
 * acknowledged, and after the heal the minority replica holds exactly the majority's map.
 */
class ReplicatedMapPartitionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();

    @AfterEach
    void stop() {
        net.heal();
        for (Session s : sessions) {
            try {
                s.close().block(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // a session whose daemon is still cut off: nothing to be graceful with
            }
        }
        daemons.forEach(EmbeddedDaemon::close);
    }

    @Test
    void theMinorityRefusesWritesTheMajorityAcknowledgesThemAndTheMinorityConvergesAfterTheHeal() {
        startThreeDaemons();
        ReplicatedMap a = replica(0, "a");
        ReplicatedMap b = replica(1, "b");
        ReplicatedMap c = replica(2, "c");
        retrying(a.put("fruit", "apple")).block(TIMEOUT);
        retrying(c.put("veg", "leek")).block(TIMEOUT);
        Mono.when(a.awaitVersion(2), b.awaitVersion(2), c.awaitVersion(2)).block(TIMEOUT);

        net.partition(Set.of(1, 2), Set.of(3));
        await().atMost(TIMEOUT).until(() -> !c.isPrimary() && a.isPrimary() && b.isPrimary());

        // The minority: refused at once, nothing sent; its reads serve the last state it held.
        assertThatThrownBy(() -> c.put("fruit", "cherry").block(TIMEOUT))
                .isInstanceOfSatisfying(NotPrimaryException.class, e -> assertThat(e.sent()).isFalse());
        assertThatThrownBy(() -> c.remove("veg").block(TIMEOUT)).isInstanceOf(NotPrimaryException.class);
        assertThat(c.entries()).isEqualTo(Map.of("fruit", "apple", "veg", "leek"));

        // The majority: acknowledged.
        retrying(a.put("fruit", "pear")).block(TIMEOUT);
        retrying(b.remove("veg")).block(TIMEOUT);
        retrying(b.put("nut", "hazel")).block(TIMEOUT);
        Mono.when(a.awaitVersion(5), b.awaitVersion(5)).block(TIMEOUT);
        assertThat(a.entries()).isEqualTo(b.entries()).isEqualTo(Map.of("fruit", "pear", "nut", "hazel"));
        assertThat(c.entries()).as("the minority saw none of it").isEqualTo(Map.of("fruit", "apple", "veg", "leek"));

        // Heal: the majority was primary, so its state wins and the minority takes it by transfer.
        net.heal();
        await().atMost(TIMEOUT).until(() -> c.isPrimary() && a.isPrimary() && b.isPrimary()
                && c.entries().equals(a.entries()));
        assertThat(c.entries()).isEqualTo(b.entries()).isEqualTo(Map.of("fruit", "pear", "nut", "hazel"));
        assertThat(c.version()).isEqualTo(a.version()).isEqualTo(b.version()).isEqualTo(5);

        // And all three go on together.
        retrying(c.put("after", "heal")).block(TIMEOUT);
        Mono.when(a.awaitVersion(6), b.awaitVersion(6)).block(TIMEOUT);
        assertThat(a.entries()).isEqualTo(b.entries()).isEqualTo(c.entries()).containsEntry("after", "heal");
    }

    @Test
    void splitIntoThreeNobodyIsPrimaryThenTwoMergeAndGoOnWithEverythingAcknowledged() {
        startThreeDaemons();
        ReplicatedMap a = replica(0, "a");
        ReplicatedMap b = replica(1, "b");
        ReplicatedMap c = replica(2, "c");
        retrying(a.put("fruit", "apple")).block(TIMEOUT);
        retrying(b.put("veg", "leek")).block(TIMEOUT);
        retrying(c.put("nut", "hazel")).block(TIMEOUT);
        Mono.when(a.awaitVersion(3), b.awaitVersion(3), c.awaitVersion(3)).block(TIMEOUT);
        Map<String, String> acknowledged = Map.of("fruit", "apple", "veg", "leek", "nut", "hazel");

        // Every daemon alone, as the survivors of a crash sometimes are for a while: no component is primary.
        net.partition(Set.of(1), Set.of(2), Set.of(3));
        await().atMost(TIMEOUT).until(() -> members(0).equals(List.of(1)) && members(1).equals(List.of(2))
                && members(2).equals(List.of(3)) && !a.isPrimary() && !b.isPrimary() && !c.isPrimary());
        for (ReplicatedMap r : List.of(a, b, c)) {
            assertThatThrownBy(() -> r.put("fruit", "plum").block(TIMEOUT)).isInstanceOf(NotPrimaryException.class);
        }

        // Two merge: a majority again, holding everything acknowledged, and writing again.
        net.partition(Set.of(1, 2), Set.of(3));
        await().atMost(TIMEOUT).until(() -> a.isPrimary() && b.isPrimary());
        assertThat(a.entries()).isEqualTo(b.entries()).isEqualTo(acknowledged);
        retrying(b.put("fruit", "pear")).block(TIMEOUT);
        a.awaitVersion(4).block(TIMEOUT);
        assertThat(c.isPrimary()).isFalse();

        net.heal();
        await().atMost(TIMEOUT).until(() -> c.isPrimary() && c.entries().equals(a.entries()));
        assertThat(c.entries()).containsEntry("fruit", "pear").containsEntry("veg", "leek");
    }

    @Test
    void aReplicaAloneIsNotPrimaryUntilAMajorityHasJoined() {
        daemons.add(EmbeddedDaemon.startEphemeral());
        ReplicatedMap a = replica(0, "a", 3);
        assertThat(a.isPrimary()).isFalse();
        assertThatThrownBy(() -> a.put("k", "v").block(TIMEOUT)).isInstanceOf(NotPrimaryException.class);
        ReplicatedMap b = replica(0, "b", 3);
        await().atMost(TIMEOUT).until(() -> a.isPrimary() && b.isPrimary());
        retrying(b.put("k", "v")).block(TIMEOUT);
        a.awaitVersion(1).block(TIMEOUT);
        assertThat(a.entries()).isEqualTo(b.entries()).isEqualTo(Map.of("k", "v"));
    }

    private void startThreeDaemons() {
        for (int d = 1; d <= 3; d++) {
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(d).withDaemonName("d" + d)
                    .withIncarnation(System.currentTimeMillis());
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine),
                    net.endpoint(d)));
        }
        await().atMost(TIMEOUT).until(() -> members(0).equals(List.of(1, 2, 3)) && members(1).equals(List.of(1, 2, 3))
                && members(2).equals(List.of(1, 2, 3)));
    }

    /** Retries a write refused outside a primary component (during a NETWORK view's exchange, say). */
    private static Mono<Void> retrying(Mono<Void> write) {
        return write.retryWhen(Retry.backoff(30, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
                .filter(NotPrimaryException.class::isInstance));
    }

    private List<Integer> members(int daemon) throws InterruptedException {
        return daemons.get(daemon).configurationMembers();
    }

    private ReplicatedMap replica(int daemon, String name) {
        return replica(daemon, name, 3);
    }

    private ReplicatedMap replica(int daemon, String name, int replicas) {
        Session s = ConsortClient.create().port(daemons.get(daemon).port()).name(name).connect().block(TIMEOUT);
        sessions.add(s);
        return ReplicatedMap.join(s, "map", replicas).block(TIMEOUT);
    }
}
