package io.consort.samples.chat;

import io.consort.core.ConsortException;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.time.Duration;
import java.util.Objects;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The chat's logic, apart from the terminal: reads command lines, executes them against a
 * {@link Session}, and prints every event the session receives. {@link ChatMain} hands it stdin
 * and stdout; a test hands it a {@code StringReader} and a {@code PrintWriter}.
 *
 * <pre>{@code
 * ChatCommands chat = new ChatCommands(session, new PrintWriter(System.out), Duration.ofSeconds(10));
 * Disposable printing = chat.printEvents();   // before the first join, to see our own join view
 * chat.run(new InputStreamReader(System.in));  // until q or end of input
 * }</pre>
 *
 * <p>Commands run one at a time and each waits (up to the timeout) for the daemon's answer, so
 * an error is printed next to the line that caused it. Events are printed as they arrive, from
 * the session's thread; the two never interleave within a line.
 */
public final class ChatCommands {
    private final Session session;
    private final PrintWriter out;
    private final Duration timeout;

    /** Commands against {@code session}, printing to {@code out}, waiting at most {@code timeout} per command. */
    public ChatCommands(Session session, PrintWriter out, Duration timeout) {
        this.session = Objects.requireNonNull(session, "session");
        this.out = Objects.requireNonNull(out, "out");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Prints every message, view and transitional signal of every group of the session, and of its
     * private group, as it arrives; and a last line when the session ends. Subscribe before the
     * first join: a stream sees only events produced after it opened.
     */
    public Disposable printEvents() {
        return session.events().subscribe(
                e -> println(ChatFormat.format(e)),
                e -> println("session closed: " + describe(e)),
                () -> println("session closed"));
    }

    /**
     * Reads lines from {@code in} and executes them until {@code q} or the end of the input (which
     * counts as {@code q}). Does not close the session: the caller owns it.
     */
    public void run(Reader in) throws IOException {
        BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String line;
        while ((line = lines.readLine()) != null) {
            if (!execute(line)) {
                return;
            }
        }
    }

    /**
     * Executes one line; prints an error for a malformed line or a refused request and carries on.
     *
     * @return false when the line was {@code q} or the session is gone: stop reading
     */
    public boolean execute(String line) {
        ChatCommand command;
        try {
            command = ChatCommand.parse(line);
        } catch (IllegalArgumentException e) {
            println("error: " + e.getMessage());
            return true;
        }
        if (command instanceof ChatCommand.Quit) {
            return false;
        }
        if (command instanceof ChatCommand.Nothing) {
            return true;
        }
        if (command instanceof ChatCommand.Help) {
            println(ChatCommand.USAGE);
            return true;
        }
        try {
            request(command).block(timeout);
        } catch (ConsortException e) {
            println("error: " + describe(e));
        } catch (IllegalStateException e) {
            // block() reports its timeout this way; the request may still be answered later.
            println("error: no answer from the daemon within " + timeout.toMillis() + " ms");
        }
        // A session the daemon closed cannot do anything more: stop rather than fail every line.
        return session.isOpen();
    }

    private Mono<Void> request(ChatCommand command) {
        if (command instanceof ChatCommand.Join j) {
            return session.join(j.group());
        }
        if (command instanceof ChatCommand.Leave l) {
            return session.leave(l.group());
        }
        ChatCommand.Send s = (ChatCommand.Send) command;
        return session.multicast(OutgoingMessage.to(s.group()).level(s.level()).text(s.text()));
    }

    private static String describe(Throwable e) {
        return e instanceof ConsortException c ? c.code() + ": " + c.getMessage() : e.toString();
    }

    /** One whole line at a time, so event lines from the session's thread never split a command's output. */
    private void println(String s) {
        synchronized (out) {
            out.println(s);
            out.flush();
        }
    }
}
