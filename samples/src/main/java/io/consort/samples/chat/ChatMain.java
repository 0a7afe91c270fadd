package io.consort.samples.chat;

import io.consort.core.ConsortException;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;

/**
 * A terminal chat in the spirit of Spread's spuser: connect to a daemon, type commands
 * ({@link ChatCommand}), see every view and message as it arrives ({@link ChatFormat}).
 *
 * <p>With nothing else installed, from the repository root (the other modules come from the
 * reactor, hence {@code -am} and {@code -Dexec.skip=true}, which only this module overrides):
 *
 * <pre>
 * mvn -q -B -pl samples -am compile exec:java -Dexec.skip=true \
 *     -Dexec.mainClass=io.consort.samples.chat.ChatMain -Dexec.args="--embedded --name alice"
 * </pre>
 *
 * and a second chat against it from another terminal: the same with
 * {@code -Dexec.args="--name bob"}.
 */
@Command(name = "consort-chat", mixinStandardHelpOptions = true,
        description = "A terminal chat over a Consort daemon, in the spirit of Spread's spuser.",
        footer = {"", ChatCommand.USAGE})
public final class ChatMain implements Callable<Integer> {
    @Option(names = "--host", description = "the daemon's host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "the daemon's client port (default: ${DEFAULT-VALUE}); "
            + "with --embedded, 0 picks a free one")
    int port = DaemonOptions.DEFAULT_PORT;

    @Option(names = "--name", description = "the user part of the private name #name#daemon (default: random)")
    @Nullable String name;

    @Option(names = "--embedded", description = "start a daemon in this process on --host/--port and chat through it")
    boolean embedded;

    @Option(names = "--timeout-ms", description = "how long a command waits for the daemon (default: ${DEFAULT-VALUE})")
    long timeoutMillis = 10_000;

    /** Runs the chat; exits with 0 after {@code q} or end of input. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ChatMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        EmbeddedDaemon daemon = embedded ? EmbeddedDaemon.start(DaemonOptions.defaults().withHost(host).withPort(port))
                : null;
        try {
            ConsortClient client = ConsortClient.create().host(host).port(daemon != null ? daemon.port() : port);
            if (name != null) {
                client = client.name(name);
            }
            Session session;
            try {
                session = client.connect().block(Duration.ofMillis(timeoutMillis).plusSeconds(1));
            } catch (ConsortException e) {
                System.err.println("cannot connect to " + host + ":" + client.port() + ": " + e.code() + ": "
                        + e.getMessage() + (embedded ? "" : " (is a daemon running? --embedded starts one)"));
                return 1;
            }
            if (session == null) {
                return 1;
            }
            if (daemon != null) {
                out.println("embedded daemon listening on " + host + ":" + daemon.port());
            }
            out.println("connected as " + session.privateName() + "; h for help");
            // Reading stdin cannot be interrupted, so a session the daemon drops ends the process here.
            session.onClose().subscribe(null, e -> {
                out.println("session lost: " + e.getMessage());
                System.exit(2);
            });
            ChatCommands chat = new ChatCommands(session, out, Duration.ofMillis(timeoutMillis));
            Disposable printing = chat.printEvents();
            chat.run(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            session.close().block(Duration.ofMillis(timeoutMillis));
            printing.dispose();
            out.println("bye");
            return 0;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}
