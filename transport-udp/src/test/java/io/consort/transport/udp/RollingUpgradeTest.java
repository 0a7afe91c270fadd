package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade on real processes: three consortd daemons of the previous release
 * ({@link PreviousRelease}, ring wire version 2, session protocol 1 and 2) on loopback, under
 * AGREED and SAFE traffic from clients on each, are upgraded one at a time to this build
 * (SIGTERM, then this build's daemon on the same address and configuration). The clients of the
 * daemons not being restarted stay connected through each restart and lose nothing, get nothing
 * twice, and agree on the order; the ring runs at wire version 3 once the last old daemon is gone.
 */
class RollingUpgradeTest {
    private static final Duration TIMEOUT = ProcessCluster.TIMEOUT;

    @TempDir
    Path dir;

    @Test
    void upgradingEachDaemonInTurnUnderTrafficLosesNothingAndRaisesTheWireVersion() throws Exception {
        long t0 = System.nanoTime();
        Path previous = PreviousRelease.consortdJar();
        Assumptions.assumeTrue(previous != null, "no git history with " + PreviousRelease.COMMIT + " to build it from");
        System.out.printf("rolling upgrade: previous release's consortd.jar ready in %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, "")) {
            for (int d = 1; d <= 3; d++) {
                cluster.jars.put(d, previous);
            }
            cluster.start(1, 2, 3);
            List<ProcessCluster.Client> clients = cluster.joinedClients(List.of(1, 2, 3), 2, "g", TIMEOUT);
            for (ProcessCluster.Client c : clients) {
                // The previous release refuses this client's version-3 offer; it says HELLO again as before.
                assertThat(c.session.protocolVersion()).as("%s's session protocol with the previous release", name(c))
                        .isEqualTo(2);
            }
            for (ProcessCluster.Client c : clients) {
                c.startLoad("g", 10, 5000); // AGREED, FIFO, SAFE, CAUSAL in turn; bounded
            }
            awaitDeliveries(clients, 50);

            List<String> steps = new ArrayList<>();
            List<Step> windows = new ArrayList<>();
            for (int d : new int[] {3, 2, 1}) {
                List<ProcessCluster.Client> stayers = cluster.clients.stream()
                        .filter(c -> c.daemon != d && c.alive()).toList();
                long before = System.nanoTime();
                int[] from = stayers.stream().mapToInt(c -> c.sentIds.size()).toArray();
                cluster.clientsOf(d).forEach(c -> {
                    try {
                        c.stopLoad();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertThat(cluster.terminate(d)).as("d%d stops on SIGTERM (143: by the signal, after its shutdown hook)", d)
                        .isNotEqualTo(-1);
                cluster.jars.remove(d);
                cluster.start(d);
                List<ProcessCluster.Client> fresh = List.of(cluster.client(d, "n" + d + "0"), cluster.client(d, "n" + d + "1"));
                for (ProcessCluster.Client c : fresh) {
                    assertThat(c.session.protocolVersion()).as("%s's session protocol with this build", name(c))
                            .isEqualTo(3);
                    c.join("g");
                    c.startLoad("g", 10, 5000);
                }
                Set<String> everyone = new HashSet<>(names(stayers));
                everyone.addAll(names(fresh));
                List<ProcessCluster.Client> live = new ArrayList<>(stayers);
                live.addAll(fresh);
                await().atMost(TIMEOUT).until(() -> live.stream().allMatch(c -> c.lastView("g") != null
                        && new HashSet<>(c.lastView("g").members()).equals(everyone)));
                awaitDeliveries(fresh, 20);
                for (ProcessCluster.Client c : stayers) {
                    assertThat(c.alive()).as("%s stayed connected while d%d was upgraded", name(c), d).isTrue();
                }
                int[] to = stayers.stream().mapToInt(c -> c.sentIds.size()).toArray();
                windows.add(new Step(d, stayers, from, to));
                steps.add(String.format("d%d %.1f s", d, (System.nanoTime() - before) / 1e9));
            }

            // The last old daemon gone, the ring of this build's daemons runs at version 3.
            for (int d = 1; d <= 3; d++) {
                int daemon = d;
                await().atMost(TIMEOUT).until(() -> lastVersion(cluster.logOf(daemon)) == 3);
            }
            assertThat(Files.readString(cluster.logOf(2))).as("d2 ran at version 2 beside the old d1, then at 3")
                    .contains("runs at wire version 2").contains("runs at wire version 3 (the last ring ran at 2)");
            assertThat(Files.readString(cluster.logOf(1))).as("d1 joins its upgraded peers at version 3")
                    .containsPattern("of daemons \\[1, 2, 3\\] runs at wire version 3");

            for (ProcessCluster.Client c : cluster.clients) {
                if (c.alive()) {
                    c.stopLoad();
                }
            }
            List<ProcessCluster.Client> live = cluster.clients.stream().filter(ProcessCluster.Client::alive).toList();
            // Through each restart, the clients of the other daemons got every message any of them
            // sent meanwhile (once each, in one order: the recorded logs' EVS checks below).
            for (Step step : windows) {
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(step.gaps(cluster))
                        .as("messages the clients of the daemons other than d%d missed while it was upgraded", step.daemon)
                        .isEmpty());
            }
            for (ProcessCluster.Client c : cluster.clients) {
                assertThat(c.deliveredOrder).as("%s got nothing twice", name(c)).doesNotHaveDuplicates();
            }
            assertThat(cluster.logs.quiescenceViolations()).as("nothing stranded in the last view").isEmpty();
            assertThat(cluster.logs.violations()).isEmpty();
            int sent = cluster.clients.stream().mapToInt(c -> c.sentIds.size()).sum();
            System.out.printf("rolling upgrade: %s; %d messages sent, %d deliveries, %d clients connected at the end,"
                    + " %.1f s in all%n", steps, sent, cluster.logs.deliveries(), live.size(), (System.nanoTime() - t0) / 1e9);
            assertThat(sent).isGreaterThan(500);
        }
    }

    /**
     * One daemon's upgrade: the clients of the other daemons, connected throughout, and the
     * messages each sent from the SIGTERM until the upgraded daemon's new clients had joined.
     */
    private record Step(int daemon, List<ProcessCluster.Client> stayers, int[] from, int[] to) {
        /** Messages of the step that a stayer did not get and EVS does not excuse. */
        List<String> gaps(ProcessCluster cluster) {
            List<String> out = new ArrayList<>();
            for (int t = 0; t < stayers.size(); t++) {
                ProcessCluster.Client tx = stayers.get(t);
                for (long id : tx.sentIds.subList(from[t], to[t])) {
                    for (ProcessCluster.Client rx : stayers) {
                        if (!rx.deliveredIds.contains(id) && !cluster.logs.gapAllowedByEvs(name(tx), name(rx), id, "g")) {
                            out.add(name(rx) + " misses " + id + " of " + name(tx));
                        }
                    }
                }
            }
            return out.size() > 20 ? out.subList(0, 20) : out;
        }
    }

    private static void awaitDeliveries(List<ProcessCluster.Client> clients, int atLeast) {
        await().atMost(TIMEOUT).until(() -> clients.stream().allMatch(c -> c.deliveredIds.size() >= atLeast));
    }

    /** The wire version of the last ring a daemon's log reports; 0 if none. */
    private static int lastVersion(Path log) throws java.io.IOException {
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("runs at wire version "))
                .collect(Collectors.toList());
        if (lines.isEmpty()) {
            return 0;
        }
        String l = lines.get(lines.size() - 1);
        String v = l.substring(l.indexOf("runs at wire version ") + "runs at wire version ".length()).split("\\D", 2)[0];
        return Integer.parseInt(v);
    }

    private static String name(ProcessCluster.Client c) {
        return c.session.privateName();
    }

    private static List<String> names(List<ProcessCluster.Client> cs) {
        return cs.stream().map(RollingUpgradeTest::name).toList();
    }
}
