package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One spprobe process: a Spread client built on Spread's own library, driven one command at a time
 * (see src/test/c/spprobe.c for the commands and the lines it answers with).
 */
final class SpreadProbe implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private SpreadProbe(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "spprobe-reader");
        t.setDaemon(true);
        t.start();
    }

    static SpreadProbe start() throws IOException, InterruptedException {
        Path exe = SpreadTools.probe();
        return new SpreadProbe(new ProcessBuilder(exe.toString()).redirectErrorStream(true).start());
    }

    /** Connects as {@code user} (null: the daemon picks a name) to {@code port} on loopback; the answer line. */
    static SpreadProbe connected(int port, String user, boolean membership) throws Exception {
        SpreadProbe p = start();
        String answer = p.ask("connect " + port + "@127.0.0.1 " + (user == null ? "-" : user) + " "
                + (membership ? 1 : 0));
        assertThat(answer).startsWith("CONNECTED ");
        return p;
    }

    /** Sends one command and returns the line it answers with. */
    String ask(String command) throws IOException, InterruptedException {
        in.write(command + "\n");
        in.flush();
        return next();
    }

    /** The next line the probe printed. */
    String next() throws InterruptedException {
        String line = lines.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(line).as("spprobe answered within " + TIMEOUT).isNotNull();
        return line;
    }

    /** Receives one message: what SP_receive returned, as one line. */
    String recv() throws IOException, InterruptedException {
        return ask("recv");
    }

    /** Receives until a line starts with {@code prefix}; returns it and checks nothing else came first. */
    List<String> recv(int n) throws IOException, InterruptedException {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(recv());
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            in.write("quit\n");
            in.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
