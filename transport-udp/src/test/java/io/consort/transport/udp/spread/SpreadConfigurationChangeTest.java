package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.InMemoryDaemonNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A join in the old ring's remainder, on three daemons of one JVM whose network the test cuts:
 * what a Spread program sees is the message sequence Spread's daemon sends for a join while its
 * membership changes (groups.c, {@code G_handle_join} in GTRANS), not a lightweight JOIN.
 */
class SpreadConfigurationChangeTest {
    private static final Duration TIMEOUT = SpreadProbe.TIMEOUT;
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<SpreadProbe> probes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (SpreadProbe p : probes) {
            p.close();
        }
        daemons.forEach(EmbeddedDaemon::close);
    }

    private SpreadProbe probe(int daemon, String user) throws Exception {
        SpreadProbe p = SpreadProbe.connected(daemons.get(daemon - 1).spreadPort(), user, true);
        probes.add(p);
        return p;
    }

    private static SpreadLine recv(SpreadProbe p) throws Exception {
        return SpreadLine.parse(p.recv());
    }

    /** Three daemons d1..d3 on one hub, in one ring. */
    private InMemoryDaemonNetwork threeDaemons() throws Exception {
        SpreadTools.home();
        InMemoryDaemonNetwork hub = new InMemoryDaemonNetwork();
        for (int id = 1; id <= 3; id++) {
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                    .withIncarnation(System.currentTimeMillis());
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(0).withEngine(engine)
                    .withSpreadDaemonOrder(List.of("d1", "d2", "d3")), hub.endpoint(id)));
        }
        await().atMost(TIMEOUT).until(() -> daemons.get(0).configurationMembers().equals(List.of(1, 2, 3))
                && daemons.get(1).configurationMembers().equals(List.of(1, 2, 3))
                && daemons.get(2).configurationMembers().equals(List.of(1, 2, 3)));
        return hub;
    }

    @Test
    void aGroupWhoseDaemonsAllStayGetsNoMembershipAtAConfigurationChange() throws Exception {
        InMemoryDaemonNetwork hub = threeDaemons();
        SpreadProbe alice = probe(1, "alice");
        SpreadProbe bob = probe(2, "bob");
        SpreadProbe dave = probe(1, "dave");
        SpreadProbe carl = probe(3, "carl");
        alice.ask("join h");
        recv(alice);
        bob.ask("join h");
        recv(bob);
        assertThat(recv(alice).get("members")).isEqualTo("#alice#d1,#bob#d2");
        dave.ask("join g");
        recv(dave);
        carl.ask("join g");
        recv(carl);
        assertThat(recv(dave).get("members")).isEqualTo("#dave#d1,#carl#d3");

        hub.isolate(3, true);
        // g had a member at d3, which leaves: its members get the transitional and the NETWORK membership.
        SpreadLine trans = recv(dave);
        assertThat(trans.kind()).isEqualTo("TRANS");
        assertThat(recv(dave).fields()).containsEntry("cause", "NETWORK").containsEntry("members", "#dave#d1");
        await().atMost(TIMEOUT).until(() -> daemons.get(0).configurationMembers().equals(List.of(1, 2))
                && daemons.get(1).configurationMembers().equals(List.of(1, 2)));

        // h's daemons d1 and d2 both stay: as from Spread's daemon, its members get neither, so what
        // comes next is bob's message.
        bob.ask("mcast 0x04 7 after h");
        SpreadLine atAlice = recv(alice);
        assertThat(atAlice.kind()).isEqualTo("MSG");
        assertThat(atAlice.fields()).containsEntry("sender", "#bob#d2").containsEntry("text", "after");
        assertThat(recv(bob).fields()).containsEntry("text", "after");

        // The next membership is the same at every member, the joiner's own copy included.
        SpreadProbe erin = probe(2, "erin");
        erin.ask("join h");
        SpreadLine joinAtErin = recv(erin);
        assertThat(joinAtErin.fields()).containsEntry("cause", "JOIN")
                .containsEntry("members", "#alice#d1,#bob#d2,#erin#d2");
        assertThat(recv(alice).fields()).containsEntry("cause", "JOIN").containsEntry("gid", joinAtErin.get("gid"));
        assertThat(recv(bob).fields()).containsEntry("cause", "JOIN").containsEntry("gid", joinAtErin.get("gid"));
    }

    @Test
    void aJoinDuringAConfigurationChangeIsANetworkMembershipWithLeavingDaemonsAndTheJoinerInSetsOfTheirOwn()
            throws Exception {
        InMemoryDaemonNetwork hub = threeDaemons();
        SpreadProbe alice = probe(1, "alice");
        SpreadProbe bob = probe(2, "bob");
        SpreadProbe carl = probe(3, "carl");
        alice.ask("join g");
        recv(alice);
        carl.ask("join g");
        recv(carl);
        SpreadLine before = recv(alice);
        assertThat(before.get("members")).isEqualTo("#alice#d1,#carl#d3");

        // d3 gets no more of the ring's messages: bob's SAFE message cannot become safe, and his join,
        // ordered after it, waits behind it at d1 and d2 until d3 is gone from the ring.
        // First every earlier message must be stable and let go: one still held now could be let go
        // later and hide one of the two this test waits for.
        await().atMost(TIMEOUT).until(() -> daemons.get(0).heldMessages() == 0);
        hub.starve(3);
        bob.ask("mcast 0x20 1 held g");
        bob.ask("join g");
        await().atMost(TIMEOUT).until(() -> daemons.get(0).heldMessages() >= 2);
        hub.isolate(3, true);

        // alice: the transitional membership of the view that ends, the old ring's remainder (bob's
        // message), bob's join as NETWORK: the members of the daemons that stay in one vs-set, carl
        // (his daemon d3 is leaving) in a set of his own, bob alone in the last; a transitional
        // membership with that view's id, and the NETWORK membership of the new ring.
        SpreadLine trans = recv(alice);
        assertThat(trans.kind()).isEqualTo("TRANS");
        assertThat(trans.get("gid")).isEqualTo(before.get("gid"));
        assertThat(recv(alice).fields()).containsEntry("sender", "#bob#d2").containsEntry("text", "held");
        SpreadLine joinAtAlice = recv(alice);
        assertThat(joinAtAlice.fields()).containsEntry("cause", "NETWORK")
                .containsEntry("members", "#alice#d1,#bob#d2,#carl#d3").containsEntry("me", "0")
                .containsEntry("vssets", "3").containsEntry("sets", "[#alice#d1][#carl#d3][#bob#d2]")
                .containsEntry("local", "0").containsEntry("myset", "1");
        // Spread's numbering: the transitional step is index 1 of the transitional membership, the join 2.
        assertThat(joinAtAlice.get("gid")).endsWith(",2").isNotEqualTo(before.get("gid"));
        SpreadLine trans2 = recv(alice);
        assertThat(trans2.kind()).isEqualTo("TRANS");
        assertThat(trans2.get("gid")).isEqualTo(joinAtAlice.get("gid"));
        SpreadLine after = recv(alice);
        assertThat(after.fields()).containsEntry("cause", "NETWORK").containsEntry("members", "#alice#d1,#bob#d2");
        assertThat(after.get("gid")).endsWith(",1");

        // bob, the joiner: the same NETWORK membership, his offset at his own set, then the rest alike.
        SpreadLine joinAtBob = recv(bob);
        assertThat(joinAtBob.fields()).containsEntry("cause", "NETWORK")
                .containsEntry("members", "#alice#d1,#bob#d2,#carl#d3").containsEntry("me", "1")
                .containsEntry("sets", "[#alice#d1][#carl#d3][#bob#d2]").containsEntry("local", "2")
                .containsEntry("myset", "1").containsEntry("gid", joinAtAlice.get("gid"));
        assertThat(recv(bob).fields()).containsEntry("gid", joinAtAlice.get("gid"));
        assertThat(recv(bob).fields()).containsEntry("cause", "NETWORK").containsEntry("members", "#alice#d1,#bob#d2")
                .containsEntry("gid", after.get("gid"));
    }
}
