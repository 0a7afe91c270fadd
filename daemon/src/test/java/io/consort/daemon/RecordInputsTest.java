package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.Input;
import io.consort.core.InputRecording;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.Replay;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewEvent;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.Session;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * A real daemon records its engine's inputs ({@link DaemonOptions#recordInputs()}); replayed through a
 * fresh engine, the recording reproduces what its clients saw: the same messages and views, in order.
 */
class RecordInputsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void aSingleDaemonsRecordingReplaysToWhatItsClientsSaw() throws Exception {
        Path file = dir.resolve("d.inputs");
        List<String> seen = new CopyOnWriteArrayList<>();
        String name;
        try (EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withRecordInputs(file))) {
            name = exercise(d.port(), seen);
        }
        assertReplayMatches(file, name, seen);
    }

    @Test
    void aDaemonOfARingReplaysToWhatItsClientsSaw() throws Exception {
        Path file = dir.resolve("d2.inputs");
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        List<EmbeddedDaemon> daemons = new ArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        String name;
        try {
            for (int i = 1; i <= 2; i++) {
                EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(i).withDaemonName("d" + i)
                        .withIncarnation(System.currentTimeMillis());
                DaemonOptions options = DaemonOptions.defaults().withPort(0).withEngine(engine);
                daemons.add(EmbeddedDaemon.start(i == 2 ? options.withRecordInputs(file) : options, net.endpoint(i)));
            }
            await().atMost(TIMEOUT).until(() -> daemons.get(1).configurationMembers().equals(List.of(1, 2)));
            Session other = ConsortClient.create().port(daemons.get(0).port()).name("other").connect().block(TIMEOUT);
            other.join("g").block(TIMEOUT);
            other.multicast("g", ServiceLevel.AGREED, "from d1").block(TIMEOUT);
            name = exercise(daemons.get(1).port(), seen);
            assertThat(seen).anyMatch(s -> s.contains("from d1") || s.contains("#other#d1"));
        } finally {
            daemons.forEach(EmbeddedDaemon::close);
        }
        assertReplayMatches(file, name, seen);
    }

    /** Joins, multicasts at two levels and leaves, noting every message and view the session saw. */
    private static String exercise(int port, List<String> seen) {
        Session s = ConsortClient.create().port(port).name("rec").connect().block(TIMEOUT);
        Disposable events = s.events("g").subscribe(e -> seen.add(describe(e)));
        s.join("g").block(TIMEOUT);
        s.multicast("g", ServiceLevel.AGREED, "one").then(s.multicast("g", ServiceLevel.SAFE, "two")).block(TIMEOUT);
        s.multicast("g", ServiceLevel.FIFO, "three").block(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> seen.stream().filter(x -> x.startsWith("message")).count() >= 3);
        String name = s.privateName();
        s.leave("g").block(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> seen.stream().anyMatch(x -> x.startsWith("view") && !x.contains(name)));
        events.dispose();
        s.close().block(TIMEOUT);
        return name;
    }

    private static void assertReplayMatches(Path file, String name, List<String> seen) throws Exception {
        InputRecording recording;
        try (InputStream in = Files.newInputStream(file)) {
            recording = InputRecording.read(in);
        }
        assertThat(recording.entries()).extracting(InputRecording.Entry::input)
                .hasAtLeastOneElementOfType(Input.Connect.class)
                .hasAtLeastOneElementOfType(Input.Join.class)
                .hasAtLeastOneElementOfType(Input.Multicast.class)
                .hasAtLeastOneElementOfType(Input.Leave.class);
        long session = recording.entries().stream().map(InputRecording.Entry::input)
                .filter(i -> i instanceof Input.Connect c && name.startsWith("#" + c.user() + "#"))
                .mapToLong(i -> ((Input.Connect) i).sessionId()).findFirst().orElseThrow();
        // The stream the client opened for "g": the events of the replayed engine on it, described alike.
        int stream = recording.entries().stream().map(InputRecording.Entry::input)
                .filter(i -> i instanceof Input.Subscribe sub && sub.sessionId() == session
                        && "g".equals(sub.filter().group()))
                .mapToInt(i -> ((Input.Subscribe) i).streamId()).findFirst().orElseThrow();
        List<String> replayed = new ArrayList<>();
        for (Output o : Replay.outputs(recording)) {
            if (o instanceof Output.Deliver d && d.sessionId() == session && d.streamId() == stream) {
                if (d.event() instanceof MessageEvent m) {
                    replayed.add("message " + m.sender() + " " + m.level() + " "
                            + new String(m.payload(), StandardCharsets.UTF_8));
                } else if (d.event() instanceof ViewEvent v) {
                    replayed.add("view " + v.cause() + " " + v.members());
                } else {
                    replayed.add("transitional");
                }
            }
        }
        assertThat(replayed).isNotEmpty().isEqualTo(seen);
    }

    private static String describe(GroupEvent e) {
        if (e instanceof GroupMessage m) {
            return "message " + m.sender() + " " + m.level() + " " + m.text();
        }
        if (e instanceof GroupView v) {
            return "view " + v.cause() + " " + v.members();
        }
        return "transitional";
    }
}
