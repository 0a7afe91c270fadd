package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Consortd.class.getName(), "--port", "0", "--name", "proc")
                .redirectErrorStream(true)
                .start();
        try {
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
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                Consortd.class.getName(), "--port", "0", "--name", "rec", "--record-inputs", file.toString())
                .redirectErrorStream(true)
                .start();
        java.util.List<String> seen = java.util.List.of("a", "b", "c");
        try {
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
        java.util.List<String> replayed = io.consort.core.Replay.outputs(r).stream()
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Consortd.class.getName(), "--config", f.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains(f + ":2: daemon.colour is not a known key");
    }
}
