package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Programs linked against Spread 4.4.0's own client library (spprobe, and Spread's spuser) against
 * one Consort daemon: the handshake and its rejects, every call of the API, memberships as Spread
 * lays them out, and interoperation with Consort's reactive clients on the same groups.
 */
class SpreadClientsTest {
    private static final Duration TIMEOUT = SpreadProbe.TIMEOUT;
    private EmbeddedDaemon daemon;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() {
        SpreadTools.home();
        daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(0)
                .withEngine(EngineConfig.defaults().withDaemonName("d1")));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (daemon != null) { // null when Spread is not built and the test was skipped before starting one
            daemon.close();
        }
    }

    private SpreadProbe probe(String user) throws Exception {
        SpreadProbe p = SpreadProbe.connected(daemon.spreadPort(), user, true);
        closeables.add(p);
        return p;
    }

    /** The lines {@code p} prints, as they come, read by a thread of their own until it ends. */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    out.add(l);
                }
            } catch (java.io.IOException e) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return out;
    }

    private static SpreadLine recv(SpreadProbe p) throws Exception {
        return SpreadLine.parse(p.recv());
    }

    @Test
    void theHandshakeAcceptsWithThePrivateGroupAndRejectsAsSpreadDoes() throws Exception {
        SpreadProbe p = SpreadProbe.start();
        closeables.add(p);
        assertThat(p.ask("connect " + daemon.spreadPort() + "@127.0.0.1 alice 1")).isEqualTo("CONNECTED #alice#d1");

        SpreadProbe dup = SpreadProbe.start();
        closeables.add(dup);
        assertThat(dup.ask("connect " + daemon.spreadPort() + "@127.0.0.1 alice 1")).isEqualTo("CONNECT_ERROR -6");
        assertThat(dup.ask("connect " + daemon.spreadPort() + "@127.0.0.1 bad!name 1")).isEqualTo("CONNECT_ERROR -5");
        // No name: the daemon makes one up, as Spread's does.
        assertThat(dup.ask("connect " + daemon.spreadPort() + "@127.0.0.1 - 1")).matches("CONNECTED #r[0-9-]+#d1");
        assertThat(daemon.sessionCount()).isEqualTo(2);
    }

    @Test
    void joinMulticastAtEveryServiceTypeLeaveAndDisconnect() throws Exception {
        SpreadProbe alice = probe("alice");
        SpreadProbe bob = probe("bob");
        assertThat(alice.ask("join g")).isEqualTo("OK 0");
        SpreadLine own = recv(alice);
        assertThat(own.kind()).isEqualTo("MEMB");
        assertThat(own.fields()).containsEntry("group", "g").containsEntry("cause", "JOIN")
                .containsEntry("members", "#alice#d1").containsEntry("me", "0").containsEntry("changed", "#alice#d1")
                .containsEntry("vssets", "1").containsEntry("local", "0").containsEntry("sets", "[#alice#d1]");

        assertThat(bob.ask("join g")).isEqualTo("OK 0");
        SpreadLine atAlice = recv(alice);
        SpreadLine atBob = recv(bob);
        for (SpreadLine m : List.of(atAlice, atBob)) {
            assertThat(m.fields()).containsEntry("cause", "JOIN").containsEntry("members", "#alice#d1,#bob#d1")
                    .containsEntry("changed", "#bob#d1").containsEntry("sets", "[#bob#d1]");
        }
        assertThat(atAlice.get("gid")).isEqualTo(atBob.get("gid")).isNotEqualTo(own.get("gid"));
        assertThat(atAlice.get("me")).isEqualTo("0");
        assertThat(atBob.get("me")).isEqualTo("1");

        // Every service type, with its 16-bit message type, negative ones too.
        int[] services = {0x1, 0x2, 0x4, 0x8, 0x10, 0x20};
        for (int i = 0; i < services.length; i++) {
            String hex = Integer.toHexString(services[i]);
            assertThat(alice.ask("mcast 0x" + hex + " " + (i - 3) + " m" + i + " g")).isEqualTo("OK 2");
            for (SpreadProbe p : List.of(alice, bob)) {
                SpreadLine m = recv(p);
                assertThat(m.kind()).isEqualTo("MSG");
                assertThat(m.fields()).containsEntry("service", "0x" + hex).containsEntry("sender", "#alice#d1")
                        .containsEntry("type", String.valueOf(i - 3)).containsEntry("endian", "0")
                        .containsEntry("groups", "g").containsEntry("text", "m" + i);
            }
        }
        // SELF_DISCARD: bob gets it, alice does not (her next message is the one after).
        alice.ask("mcast 0x50 1 discarded g");
        alice.ask("mcast 0x10 2 kept g");
        assertThat(recv(bob).get("text")).isEqualTo("discarded");
        assertThat(recv(bob).get("text")).isEqualTo("kept");
        assertThat(recv(alice).get("text")).isEqualTo("kept");

        // Leave: a self-leave for the leaver, LEAVE with the leaver as vs-set for the others.
        assertThat(alice.ask("leave g")).isEqualTo("OK 0");
        assertThat(alice.recv()).isEqualTo("SELFLEAVE group=g");
        SpreadLine left = recv(bob);
        assertThat(left.fields()).containsEntry("cause", "LEAVE").containsEntry("members", "#bob#d1")
                .containsEntry("changed", "#alice#d1").containsEntry("sets", "[#alice#d1]").containsEntry("me", "0");

        // Disconnect (KILL): the others see DISCONNECT.
        alice.ask("join g");
        recv(alice);
        recv(bob);
        assertThat(bob.ask("disconnect")).isEqualTo("OK 0");
        SpreadLine gone = recv(alice);
        assertThat(gone.fields()).containsEntry("cause", "DISCONNECT").containsEntry("members", "#alice#d1")
                .containsEntry("changed", "#bob#d1");
        await().atMost(TIMEOUT).until(() -> daemon.sessionCount() == 1);
    }

    @Test
    void multiGroupMessagesPrivateGroupsLimitsAndRejects() throws Exception {
        SpreadProbe alice = probe("alice");
        SpreadProbe bob = probe("bob");
        alice.ask("join g");
        recv(alice);
        bob.ask("join g");
        bob.ask("join h");
        recv(alice);
        recv(bob);
        recv(bob);

        // Once per receiver, with every destination named.
        alice.ask("mcast 0x10 3 both g h");
        assertThat(recv(bob).fields()).containsEntry("groups", "g,h").containsEntry("text", "both");
        assertThat(recv(alice).fields()).containsEntry("groups", "g,h");
        // Private group: only bob; groups are open, a non-member may send.
        SpreadProbe carl = probe("carl");
        carl.ask("mcast 0x2 4 psst #bob#d1");
        assertThat(recv(bob).fields()).containsEntry("sender", "#carl#d1").containsEntry("groups", "#bob#d1")
                .containsEntry("text", "psst");

        // The largest message a 4.4.0 daemon carries, unchanged.
        alice.ask("big 0x10 143120 #alice#d1");
        SpreadLine big = recv(alice);
        assertThat(big.get("len")).isEqualTo("143120");
        assertThat(big.get("sum")).isEqualTo(expectedSum(143120));

        // A destination this daemon cannot take comes back as a reject, payload and type kept.
        alice.ask("mcast 0x10 9 nowhere #nobody");
        SpreadLine reject = recv(alice);
        assertThat(reject.kind()).isEqualTo("REJECT");
        assertThat(reject.fields()).containsEntry("service", "0x400010").containsEntry("type", "9")
                .containsEntry("groups", "#nobody,#alice#d1").containsEntry("text", "nowhere");

        // Over the daemon's limit (the library's own is 144000 with the names): the session is killed.
        alice.ask("big 0x10 143968 g");
        assertThat(alice.recv()).isEqualTo("ERROR -8");
        assertThat(recv(bob).fields()).containsEntry("cause", "DISCONNECT").containsEntry("changed", "#alice#d1");
        assertThat(bob.ask("mcast 0x10 1 still-here g")).isEqualTo("OK 10");
        assertThat(recv(bob).get("text")).isEqualTo("still-here");
    }

    /** The checksum spprobe prints for its "big" payload of {@code len} bytes (byte i is i % 251). */
    static String expectedSum(int len) {
        long sum = 0;
        for (int i = 0; i < len; i++) {
            sum = sum * 31 + (i % 251);
        }
        return Long.toUnsignedString(sum);
    }

    @Test
    void spreadAndConsortSessionsShareGroupsMessagesAndViews() throws Exception {
        SpreadProbe alice = probe("alice");
        Session carol = ConsortClient.create().port(daemon.port()).name("carol").connect().block(TIMEOUT);
        closeables.add(() -> carol.close().block(TIMEOUT));
        alice.ask("join g");
        recv(alice);

        // Subscribed before the join: the join, a later request, proves the stream is open at the daemon.
        reactor.core.publisher.Flux<GroupMessage> fromAlice = carol.messages("g").take(1).cache();
        fromAlice.subscribe();
        StepVerifier.create(carol.views("g").take(1))
                .then(() -> carol.join("g").block(TIMEOUT))
                .assertNext(v -> {
                    assertThat(v.members()).containsExactly("#alice#d1", "#carol#d1");
                    assertThat(v.cause()).isEqualTo(ViewCause.JOIN);
                })
                .expectComplete().verify(TIMEOUT);
        assertThat(recv(alice).fields()).containsEntry("members", "#alice#d1,#carol#d1")
                .containsEntry("changed", "#carol#d1");

        StepVerifier.create(fromAlice)
                .then(() -> assertThat(uncheckedAsk(alice, "mcast 0x8 4242 from-spread g")).isEqualTo("OK 11"))
                .assertNext(m -> {
                    assertThat(m.sender()).isEqualTo("#alice#d1");
                    assertThat(m.level()).isEqualTo(ServiceLevel.CAUSAL);
                    assertThat(m.type()).isEqualTo(4242);
                    assertThat(m.payload()).isEqualTo("from-spread".getBytes(StandardCharsets.US_ASCII));
                })
                .expectComplete().verify(TIMEOUT);
        assertThat(recv(alice).get("text")).isEqualTo("from-spread");

        carol.multicast(OutgoingMessage.to("g").level(ServiceLevel.SAFE).type(77)
                .payload("from-consort".getBytes(StandardCharsets.US_ASCII))).block(TIMEOUT);
        assertThat(recv(alice).fields()).containsEntry("service", "0x20").containsEntry("sender", "#carol#d1")
                .containsEntry("type", "77").containsEntry("text", "from-consort");

        carol.close().block(TIMEOUT);
        SpreadLine left = recv(alice);
        assertThat(left.get("members")).isEqualTo("#alice#d1");
        assertThat(left.get("changed")).isEqualTo("#carol#d1");
    }

    @Test
    void spuserRunsAScriptedSession() throws Exception {
        SpreadProbe alice = probe("alice");
        alice.ask("join g");
        recv(alice);
        Process spuser = new ProcessBuilder(SpreadTools.tool("spuser").toString(), "-u", "sam", "-s",
                daemon.spreadPort() + "@127.0.0.1").redirectErrorStream(true).start();
        closeables.add(spuser::destroyForcibly);
        BlockingQueue<String> out = lines(spuser);
        Writer in = new OutputStreamWriter(spuser.getOutputStream(), StandardCharsets.UTF_8);
        awaitLine(out, "User: connected to " + daemon.spreadPort() + "@127.0.0.1 with private group #sam#d1");
        in.write("j g\n");
        in.flush();
        awaitLine(out, "Received REGULAR membership for group g with 2 members, where I am member 1:");
        awaitLine(out, "Due to the JOIN of #sam#d1");
        assertThat(recv(alice).get("changed")).isEqualTo("#sam#d1");
        in.write("s g\nhello-from-spuser\n");
        in.flush();
        awaitLine(out, "received SAFE message from #sam#d1, of type 1, (endian 0) to 1 groups ");
        SpreadLine m = recv(alice);
        assertThat(m.fields()).containsEntry("service", "0x20").containsEntry("sender", "#sam#d1")
                .containsEntry("type", "1");
        assertThat(m.get("text")).startsWith("hello-from-spuser");
        alice.ask("mcast 0x10 5 to-sam g");
        awaitLine(out, "received AGREED message from #alice#d1, of type 5, (endian 0) to 1 groups ");
        assertThat(recv(alice).get("text")).isEqualTo("to-sam");
        in.write("l g\n");
        in.flush();
        awaitLine(out, "received membership message that left group g");
        assertThat(recv(alice).fields()).containsEntry("cause", "LEAVE").containsEntry("changed", "#sam#d1");
        in.write("q\n");
        in.flush();
        assertThat(spuser.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void spreadsJavaClientLibraryWorksBesideTheCLibrary() throws Exception {
        String classPath = SpreadTools.javaProbeClassPath();
        // Spread's Java library takes ports up to 32768 only: this daemon listens for Spread there.
        daemon.close();
        daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(SpreadTools.freePortForJava())
                .withEngine(EngineConfig.defaults().withDaemonName("d1")));
        SpreadProbe alice = probe("alice");
        alice.ask("join g");
        recv(alice);
        Process jim = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "SpJavaProbe", String.valueOf(daemon.spreadPort()), "jim", "g")
                .redirectErrorStream(true).start();
        closeables.add(jim::destroyForcibly);
        BlockingQueue<String> out = lines(jim);
        awaitLine(out, "CONNECTED #jim#d1");
        awaitLine(out, "MEMB group=g cause=JOIN members=#alice#d1,#jim#d1 changed=#jim#d1");
        assertThat(recv(alice).get("changed")).isEqualTo("#jim#d1");
        awaitLine(out, "MSG sender=#jim#d1 agreed=true type=21 text=from-java");
        assertThat(recv(alice).fields()).containsEntry("sender", "#jim#d1").containsEntry("service", "0x10")
                .containsEntry("type", "21").containsEntry("text", "from-java");
        alice.ask("mcast 0x10 22 to-java g");
        assertThat(recv(alice).get("text")).isEqualTo("to-java");
        awaitLine(out, "MSG sender=#alice#d1 agreed=true type=22 text=to-java");
        awaitLine(out, "SELFLEAVE group=g");
        assertThat(recv(alice).fields()).containsEntry("cause", "LEAVE").containsEntry("changed", "#jim#d1");
        awaitLine(out, "DONE");
        assertThat(jim.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void awaitLine(BlockingQueue<String> out, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String l = out.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) {
                continue;
            }
            seen.add(l);
            if (l.contains(expected)) {
                return;
            }
        }
        throw new AssertionError("the program did not print '" + expected + "'; it printed:\n" + String.join("\n", seen));
    }

    private static String uncheckedAsk(SpreadProbe p, String command) {
        try {
            return p.ask(command);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
