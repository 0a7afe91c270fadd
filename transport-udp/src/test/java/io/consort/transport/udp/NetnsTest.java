package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.reactive.GroupView;
import io.consort.reactive.TransitionalSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Five consortd processes, each in a network namespace of its own (a host), joined by a bridge;
 * clients in this JVM reach each daemon's client port at its host address. Partitions, one-way
 * link failures and packet loss are made on the daemons' UDP only (see {@link NetnsNetwork}).
 * Every client's log is checked by the simulator's invariant checker. Skipped (with the reason)
 * where the machine cannot make namespaces.
 */
class NetnsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String G = "g";
    private static final int HOSTS = 5;

    @TempDir
    Path dir;

    private NetnsNetwork net;
    private ProcessCluster cluster;

    @BeforeEach
    void network() {
        NetnsNetwork.assumeAvailable();
        net = new NetnsNetwork(HOSTS);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    /** Starts d1..d5, one client on each, all in group g. */
    private List<ProcessCluster.Client> startWithClients() throws Exception {
        // Token loss at 600 ms rather than 200: five daemon JVMs and this one share the machine's
        // CPUs, and a scheduling stall should not pass for a network fault.
        // Off loopback the daemon traffic is sealed, as consortd requires (its clients run --insecure: plain TCP).
        java.nio.file.Path keys = dir.resolve("cluster.key");
        java.nio.file.Files.writeString(keys, "1 " + java.util.Base64.getEncoder().encodeToString(PacketSealerTest.key(5))
                + " send\n");
        cluster = new ProcessCluster(dir, net.daemonAddresses(), "  clusterKey: " + keys
                + "\ntimeouts: {tokenLoss: 600, consensus: 300}\n", "1500", net::exec, net::daemonArgs,
                List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        int[] ids = new int[HOSTS];
        for (int i = 0; i < HOSTS; i++) {
            ids[i] = i + 1;
        }
        cluster.start(ids);
        List<ProcessCluster.Client> all = new ArrayList<>();
        for (int d = 1; d <= HOSTS; d++) {
            all.add(cluster.client(d, "c" + d));
        }
        for (ProcessCluster.Client c : all) {
            c.join(G);
        }
        Set<String> everyone = names(all);
        awaitViews(all, v -> new HashSet<>(v.members()).equals(everyone), "all five members");
        return all;
    }

    // (a) ----------------------------------------------------------------------------------------

    @Test
    void aThreeTwoPartitionServesBothSidesAndTheHealMergesWithTheRightViews() throws Exception {
        List<ProcessCluster.Client> all = startWithClients();
        List<ProcessCluster.Client> a = all.subList(0, 3);
        List<ProcessCluster.Client> b = all.subList(3, 5);
        Set<String> aNames = names(a);
        Set<String> bNames = names(b);
        for (ProcessCluster.Client c : all) {
            c.startLoad(G, 20, 600); // background traffic across every change, for the checker
        }
        Thread.sleep(500);

        net.partition(List.of(1, 2, 3), List.of(4, 5));
        awaitViews(a, v -> v.cause() == ViewCause.NETWORK && new HashSet<>(v.members()).equals(aNames), "side {1,2,3}");
        awaitViews(b, v -> v.cause() == ViewCause.NETWORK && new HashSet<>(v.members()).equals(bNames), "side {4,5}");
        Map<ProcessCluster.Client, GroupView> splitViews = new LinkedHashMap<>();
        for (ProcessCluster.Client c : all) {
            GroupView v = c.lastView(G);
            splitViews.put(c, v);
            Set<String> side = a.contains(c) ? aNames : bNames;
            assertThat(new HashSet<>(v.vsSet())).as("vs-set of the split view at " + name(c)).isEqualTo(side);
            assertTransitionalBefore(c, v);
        }

        // Both sides go on: what each side sends now reaches its whole side.
        List<Long> aSent = sendBatch(a, 20);
        List<Long> bSent = sendBatch(b, 20);
        awaitDelivered(a, aSent, "side {1,2,3} during the partition");
        awaitDelivered(b, bSent, "side {4,5} during the partition");
        for (ProcessCluster.Client c : b) {
            assertThat(c.deliveredIds).as(name(c) + " got nothing side {1,2,3} sent in the partition")
                    .doesNotContainAnyElementsOf(aSent);
        }

        net.heal();
        Set<String> everyone = names(all);
        awaitViews(all, v -> v.cause() == ViewCause.NETWORK && new HashSet<>(v.members()).equals(everyone), "merged");
        // The merged view's vs-set: the members that came with this one from its previous view. When no
        // client saw a configuration between the split and the merge, that is exactly its side. When
        // one did (a token loss on a loaded machine can make one), each vs-set must still be a subset of
        // the previous view, hold the receiver, and be the same at each member it names.
        boolean direct = all.stream().allMatch(c -> viewBefore(c, c.lastView(G)) == splitViews.get(c));
        for (ProcessCluster.Client c : all) {
            GroupView merged = c.lastView(G);
            GroupView previous = viewBefore(c, merged);
            Set<String> vs = new HashSet<>(merged.vsSet());
            String views = "views at " + name(c) + ": " + c.views;
            if (direct) {
                Set<String> side = a.contains(c) ? aNames : bNames;
                assertThat(vs).as("vs-set of the merged view at " + name(c)).isEqualTo(side);
            } else {
                System.out.println("netns partition: a configuration between the split and the merge; " + views);
            }
            assertThat(vs).as(views).contains(name(c));
            assertThat(previous.members()).as("vs-set within the previous view; " + views).containsAll(vs);
            for (ProcessCluster.Client o : all) {
                if (vs.contains(name(o))) {
                    assertThat(new HashSet<>(o.lastView(G).vsSet())).as("vs-set at " + name(o) + " and " + name(c))
                            .isEqualTo(vs);
                }
            }
            assertThat(c.signals.indexOf(merged)).isGreaterThan(c.signals.indexOf(splitViews.get(c)));
            assertTransitionalAfter(c, previous, merged);
        }

        for (ProcessCluster.Client c : all) {
            c.stopLoad();
        }
        List<Long> after = sendBatch(all, 20);
        awaitDelivered(all, after, "everyone after the heal");
        assertSameOrder(all, after);
        assertNoViolations();
    }

    // (b) ----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}% loss")
    @ValueSource(ints = {5, 20})
    void underPacketLossEveryAgreedMessageArrivesInOrderEverywhere(int percent) throws Exception {
        List<ProcessCluster.Client> all = startWithClients();
        int viewsBefore = all.stream().mapToInt(c -> c.views.size()).sum();
        String method = net.loss(percent);
        List<Long> sent = new ArrayList<>();
        List<ProcessCluster.Client> senders = all;
        for (ProcessCluster.Client c : senders) {
            c.startLoad(G, 5, 80);
        }
        for (ProcessCluster.Client c : senders) {
            c.stopLoadWhenDone(TIMEOUT);
            sent.addAll(c.sentIds);
        }
        assertThat(sent).as("every message accepted by its daemon").hasSize(80 * senders.size());
        awaitDelivered(all, sent, percent + "% loss (" + method + ")");
        assertSameOrder(all, sent);
        for (ProcessCluster.Client c : all) {
            List<Long> own = c.sentIds;
            assertThat(c.deliveredOrder.stream().filter(own::contains).toList()).as("FIFO at " + name(c))
                    .containsExactlyElementsOf(own);
        }
        int viewChanges = all.stream().mapToInt(c -> c.views.size()).sum() - viewsBefore;
        System.out.printf("netns loss %d%% by %s: %d AGREED/FIFO/SAFE/CAUSAL messages, delivered everywhere in one "
                + "order; %d view changes during the loss%n", percent, method, sent.size(), viewChanges);
        net.loss(0);
        assertNoViolations();
    }

    // (c) ----------------------------------------------------------------------------------------

    /**
     * d2 stops hearing d1 while d1 still hears d2. The two are never again in one configuration
     * while the cut lasts, the ring settles (no view at any client for 3 s) instead of re-forming
     * for as long as it lasts, and after the heal everyone merges and agrees on the order.
     */
    @Test
    void aOneWayLinkFailureSettlesIntoAStableConfiguration() throws Exception {
        List<ProcessCluster.Client> all = startWithClients();
        ProcessCluster.Client c1 = all.get(0);
        ProcessCluster.Client c2 = all.get(1);
        for (ProcessCluster.Client c : all) {
            c.startLoad(G, 20, 300);
        }
        Thread.sleep(500);
        Map<ProcessCluster.Client, Integer> viewsAtCut = new LinkedHashMap<>();
        all.forEach(c -> viewsAtCut.put(c, c.views.size()));
        net.dropFrom(1, 2); // d2 no longer hears d1; d1 still hears d2
        // The ring reacts: d1 and d2 are no longer in one configuration.
        awaitViews(List.of(c1, c2), v -> v.cause() == ViewCause.NETWORK
                && !(v.members().contains(name(c1)) && v.members().contains(name(c2))), "d1 and d2 apart");
        int before = all.stream().mapToInt(c -> c.views.size()).sum();
        awaitSettled(all, Duration.ofSeconds(3));
        Set<Set<String>> memberships = new HashSet<>();
        for (ProcessCluster.Client c : all) {
            for (GroupView v : c.views.subList(viewsAtCut.get(c), c.views.size())) {
                memberships.add(new HashSet<>(v.members()));
                assertThat(v.members().contains(name(c1)) && v.members().contains(name(c2)))
                        .as("a view after the cut at " + name(c) + " holds both d1's and d2's client: " + v).isFalse();
            }
        }
        System.out.printf("netns one-way d1->d2 cut: %d more views at the clients after d1 and d2 parted, before 3 quiet "
                + "seconds; memberships seen since the cut: %s%n",
                all.stream().mapToInt(c -> c.views.size()).sum() - before, memberships);
        for (ProcessCluster.Client c : all) {
            c.stopLoad();
        }

        net.heal();
        Set<String> everyone = names(all);
        awaitViews(all, v -> v.cause() == ViewCause.NETWORK && new HashSet<>(v.members()).equals(everyone),
                "merged after the one-way cut is healed");
        List<Long> after = sendBatch(all, 10);
        awaitDelivered(all, after, "everyone after the one-way cut is healed");
        assertSameOrder(all, after);
        assertNoViolations();
    }

    // ---------------------------------------------------------------------------------------------

    private static String name(ProcessCluster.Client c) {
        return c.session.privateName();
    }

    private static Set<String> names(Collection<ProcessCluster.Client> cs) {
        Set<String> s = new HashSet<>();
        cs.forEach(c -> s.add(name(c)));
        return s;
    }

    /** Each client sends {@code n} AGREED messages; their ids. */
    private static List<Long> sendBatch(List<ProcessCluster.Client> senders, int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (ProcessCluster.Client c : senders) {
                long id = c.sendForId(G, ServiceLevel.AGREED, 200);
                assertThat(id).as(name(c) + " sends").isNotNegative();
                ids.add(id);
            }
        }
        return ids;
    }

    private void awaitViews(List<ProcessCluster.Client> cs, Predicate<GroupView> ok, String what) {
        try {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> cs.stream().allMatch(c -> {
                GroupView v = c.lastView(G);
                return v != null && ok.test(v);
            }));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("views did not reach '" + what + "'; last views: " + lastViews(cs)
                    + "\n" + daemonLogTails(), e);
        }
    }

    private void awaitDelivered(List<ProcessCluster.Client> receivers, List<Long> ids, String what) {
        try {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> receivers.stream().allMatch(c -> c.deliveredIds.containsAll(ids)));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not delivered (" + what + "): " + missing(receivers, ids) + "\nlast views: "
                    + lastViews(receivers) + "\n" + daemonLogTails(), e);
        }
    }

    private static String missing(List<ProcessCluster.Client> receivers, List<Long> ids) {
        StringBuilder sb = new StringBuilder();
        for (ProcessCluster.Client c : receivers) {
            List<Long> m = ids.stream().filter(id -> !c.deliveredIds.contains(id)).toList();
            if (!m.isEmpty()) {
                sb.append("\n  ").append(name(c)).append(" misses ").append(m.size()).append(" of ").append(ids.size())
                        .append(": ").append(m.subList(0, Math.min(12, m.size()))).append(" open=")
                        .append(c.session.isOpen()).append(" error=").append(c.error);
            }
        }
        return sb.toString();
    }

    private static String lastViews(List<ProcessCluster.Client> cs) {
        StringBuilder sb = new StringBuilder();
        for (ProcessCluster.Client c : cs) {
            GroupView v = c.lastView(G);
            sb.append("\n  ").append(name(c)).append(": ").append(v == null ? "none"
                    : v.id() + " " + v.cause() + " members=" + v.members() + " vs=" + v.vsSet())
                    .append(" (").append(c.views.size()).append(" views)");
        }
        return sb.toString();
    }

    private String daemonLogTails() {
        StringBuilder sb = new StringBuilder("daemon logs (last lines):");
        for (int d = 1; d <= HOSTS; d++) {
            try {
                List<String> lines = Files.readAllLines(cluster.logOf(d));
                Files.copy(cluster.logOf(d), Path.of(System.getProperty("java.io.tmpdir"), "netns-last-d" + d + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                sb.append("\n  d").append(d).append(": ")
                        .append(String.join("\n      ", lines.subList(Math.max(0, lines.size() - 6), lines.size())));
            } catch (Exception e) {
                sb.append("\n  d").append(d).append(": ").append(e);
            }
        }
        return sb.toString();
    }

    /** Waits until no client's view of g changed for {@code quiet}; each client's members then. */
    private Map<String, Set<String>> awaitSettled(List<ProcessCluster.Client> cs, Duration quiet)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int n = cs.stream().mapToInt(c -> c.views.size()).sum();
            if (n != last) {
                last = n;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                Map<String, Set<String>> m = new LinkedHashMap<>();
                for (ProcessCluster.Client c : cs) {
                    m.put(name(c), new HashSet<>(c.lastView(G).members()));
                }
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("views did not settle for " + quiet + " within " + TIMEOUT + ": " + lastViews(cs)
                + "\n" + daemonLogTails());
    }

    private static GroupView viewBefore(ProcessCluster.Client c, GroupView v) {
        int i = c.views.indexOf(v);
        return i > 0 ? c.views.get(i - 1) : null;
    }

    private static void assertTransitionalBefore(ProcessCluster.Client c, GroupView v) {
        int at = c.signals.indexOf(v);
        assertThat(c.signals.subList(0, at)).as("a transitional signal precedes the NETWORK view at " + name(c))
                .anyMatch(s -> s instanceof TransitionalSignal);
    }

    private static void assertTransitionalAfter(ProcessCluster.Client c, GroupView from, GroupView to) {
        int a = c.signals.indexOf(from);
        int b = c.signals.indexOf(to);
        assertThat(c.signals.subList(a + 1, b)).as("a transitional signal between the split and the merged view at "
                + name(c)).anyMatch(s -> s instanceof TransitionalSignal);
    }

    /** Every client delivered {@code ids} in the same relative order. */
    private static void assertSameOrder(List<ProcessCluster.Client> cs, List<Long> ids) {
        Set<Long> set = new HashSet<>(ids);
        List<Long> first = cs.get(0).deliveredOrder.stream().filter(set::contains).toList();
        for (ProcessCluster.Client c : cs) {
            assertThat(c.deliveredOrder.stream().filter(set::contains).toList()).as("order at " + name(c))
                    .containsExactlyElementsOf(first);
        }
    }

    private void assertNoViolations() {
        List<String> violations = cluster.logs.violations();
        System.out.printf("netns: %d deliveries recorded, violations %s%n", cluster.logs.deliveries(), violations);
        assertThat(violations).isEmpty();
    }
}
