package io.consort.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.EmbeddedDaemon;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** Two chats against an embedded daemon, driven line by line, checked by what they print. */
class ChatCommandsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private EmbeddedDaemon daemon;
    private Chat alice;
    private Chat bob;

    /** One chat user: the session, the commands, and what was printed. */
    private record Chat(Session session, ChatCommands commands, LineRecorder out, Disposable printing) {
        void run(String script) throws Exception {
            commands.run(new StringReader(script));
        }

        String await(String what, String... parts) throws InterruptedException {
            return out.await(line -> {
                for (String p : parts) {
                    if (!line.contains(p)) {
                        return false;
                    }
                }
                return true;
            }, what, TIMEOUT);
        }
    }

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
        alice = chat("alice");
        bob = chat("bob");
    }

    @AfterEach
    void stop() {
        for (Chat c : new Chat[] {alice, bob}) {
            c.printing().dispose();
            c.session().close().block(TIMEOUT);
        }
        daemon.close();
    }

    private Chat chat(String name) {
        Session s = ConsortClient.create().port(daemon.port()).name(name).connect().block(TIMEOUT);
        LineRecorder out = new LineRecorder();
        ChatCommands commands = new ChatCommands(s, new PrintWriter(out), TIMEOUT);
        return new Chat(s, commands, out, commands.printEvents());
    }

    @Test
    void joinSendReceiveAndLeave() throws Exception {
        alice.run("j chat\n");
        alice.await("alice's own join view", "view  chat", "JOIN of [#alice#localhost]",
                "members=[#alice#localhost]", "vs-set=[]");

        bob.run("j chat\n");
        String both = "members=[#alice#localhost, #bob#localhost]";
        alice.await("bob's join at alice", "view  chat", "JOIN of [#bob#localhost]", both);
        bob.await("bob's join at bob", "view  chat", "JOIN of [#bob#localhost]", both);

        alice.run("s chat hello  world\n");
        String hello = "msg   from #alice#localhost AGREED type=0 to [chat] (12 bytes): hello  world";
        assertThat(bob.await("alice's message at bob", hello)).isEqualTo(hello);
        alice.await("alice's own message", hello);

        bob.run("l chat\n");
        bob.await("bob's self-leave", "view  chat", "LEAVE of [#bob#localhost]", "(you left");
        alice.await("bob's leave at alice", "view  chat", "LEAVE of [#bob#localhost]", "members=[#alice#localhost]");

        // Bob is out of the group: the next message reaches alice only. Alice sees it after bob's
        // leave, so by the time she does, bob would have had it too.
        alice.run("s chat after\n");
        alice.await("alice's second message", "): after");
        assertThat(bob.out().lines()).noneMatch(l -> l.endsWith("): after"));
    }

    @Test
    void everyLevelArrivesAndSaysItsLevel() throws Exception {
        bob.run("j chat\n");
        bob.await("bob's join", "view  chat", "JOIN of [#bob#localhost]");
        StringBuilder script = new StringBuilder();
        for (ServiceLevel level : ServiceLevel.values()) {
            script.append("m ").append(level.name().toLowerCase(Locale.ROOT)).append(" chat at ")
                    .append(level).append('\n');
        }
        // Alice is not a member: groups are open, anyone may send to them.
        alice.run(script.toString());
        for (ServiceLevel level : ServiceLevel.values()) {
            bob.await(level + " message", "msg   from #alice#localhost " + level + " type=0 to [chat]",
                    "): at " + level);
        }
    }

    @Test
    void unicastReachesThePrivateNameOnly() throws Exception {
        bob.run("j chat\n");
        bob.await("bob's join", "JOIN of [#bob#localhost]");
        bob.run("u #alice#localhost psst\n");
        alice.await("the unicast", "msg   from #bob#localhost AGREED type=0 to [#alice#localhost] (4 bytes): psst");
        // Bob's group saw nothing of it: a later message to the group is the first message bob gets.
        alice.run("s chat next\n");
        bob.await("the group message", "): next");
        assertThat(bob.out().lines()).noneMatch(l -> l.contains("psst"));
    }

    @Test
    void mistakesAndRefusalsArePrintedAndTheChatGoesOn() throws Exception {
        alice.run("x\nm loud chat hi\nj bad#name\nj\nh\nj fine\n");
        alice.await("unknown command", "error: unknown command 'x'");
        alice.await("unknown level", "error: unknown level 'loud'");
        alice.await("refused join", "error: INVALID_GROUP_NAME");
        alice.await("usage", "error: usage: j <group>");
        alice.await("help", "  q ", "quit");
        alice.await("the join after the mistakes", "view  fine", "JOIN of [#alice#localhost]");
    }

    @Test
    void quitStopsReadingAndEndOfInputIsQuit() throws Exception {
        BufferedReader in = new BufferedReader(new StringReader("j a\nq\nj b\n"));
        alice.commands().run(in);
        assertThat(in.readLine()).as("the line after q is left unread").isEqualTo("j b");
        alice.await("the join before q", "view  a", "JOIN of [#alice#localhost]");

        alice.run("j c"); // no newline, no q: end of input ends the run
        alice.await("the join before end of input", "view  c", "JOIN of [#alice#localhost]");
        assertThat(alice.session().isOpen()).isTrue();
    }
}
