package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** consortd as a real process: it serves clients, and SIGTERM tells them DAEMON_SHUTDOWN before it exits. */
class ConsortdProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern SERVING = Pattern.compile("serving clients on ([0-9.]+):(\\d+)");

    @Test
    void servesClientsAndStopsGracefullyOnSigterm() throws Exception {
        Process p = consortd("--port", "0", "--name", "proc");
        try {
            int port = servingPort(p);
            Session s = ConsortClient.create().port(port).name("tester").connect().block(TIMEOUT);
            assertThat(s.privateName()).isEqualTo("#tester#proc");
            StepVerifier.create(s.messages("g").take(1).map(GroupMessage::text))
                    .then(() -> s.join("g").then(s.multicast("g", ServiceLevel.SAFE, "ping")).block(TIMEOUT))
                    .expectNext("ping")
                    .expectComplete().verify(TIMEOUT);

            p.destroy(); // SIGTERM
            StepVerifier.create(s.onClose())
                    .expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                            .isEqualTo(ErrorCode.DAEMON_SHUTDOWN))
                    .verify(TIMEOUT);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isIn(0, 143);
        } finally {
            p.destroyForcibly();
        }
    }

    /** --record-inputs: what a client saw of a consortd process, a replay of its recording sees again. */
    @Test
    void recordsItsInputsSoThatAReplayDeliversTheSame(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("proc.inputs");
        Process p = consortd("--port", "0", "--name", "rec", "--record-inputs", file.toString());
        List<String> seen = List.of("a", "b", "c");
        try {
            int port = servingPort(p);
            Session s = ConsortClient.create().port(port).name("tester").connect().block(TIMEOUT);
            StepVerifier.create(s.messages("g").take(3).map(GroupMessage::text))
                    .then(() -> s.join("g").then(s.multicast("g", ServiceLevel.AGREED, "a"))
                            .then(s.multicast("g", ServiceLevel.SAFE, "b"))
                            .then(s.multicast("g", ServiceLevel.FIFO, "c")).block(TIMEOUT))
                    .expectNextSequence(seen)
                    .expectComplete().verify(TIMEOUT);
            s.leave("g").block(TIMEOUT);
            p.destroy(); // SIGTERM: consortd closes the recording as it stops
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        io.consort.core.InputRecording r;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            r = io.consort.core.InputRecording.read(in);
        }
        assertThat(r.config().daemonName()).isEqualTo("rec");
        List<String> replayed = io.consort.core.Replay.outputs(r).stream()
                .filter(o -> o instanceof io.consort.core.Output.Deliver d
                        && d.event() instanceof io.consort.core.MessageEvent)
                .map(o -> new String(((io.consort.core.MessageEvent) ((io.consort.core.Output.Deliver) o).event())
                        .payload(), StandardCharsets.UTF_8))
                .toList();
        assertThat(replayed).isEqualTo(seen);
    }

    @Test
    void aBadConfigurationFileStopsItWithTheFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path f = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(f, "daemon:\n  colour: blue\n");
        Process p = consortd("--config", f.toString());
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains(f + ":2: daemon.colour is not a known key");
    }

    /** consortd in a JVM of its own, with this test's class path, its stderr merged into its stdout. */
    private static Process consortd(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Consortd.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * The client port {@code p} says it serves on; its later output is drained on a thread of its own,
     * so that a daemon logging more than a pipe holds never blocks on its stdout.
     */
    private static int servingPort(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        for (String line; (line = out.readLine()) != null;) {
            Matcher m = SERVING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(2));
                break;
            }
        }
        assertThat(port).as("consortd printed its port").isPositive();
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(Writer.nullWriter());
            } catch (IOException e) {
                // the process is gone
            }
        }, "consortd-output");
        drain.setDaemon(true);
        drain.start();
        return port;
    }
}
