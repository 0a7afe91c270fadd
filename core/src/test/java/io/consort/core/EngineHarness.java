package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one {@link Engine} with a hand-advanced clock and records every output, so that tests
 * can ask what each session saw. Every input advances the clock by one millisecond; the engine
 * must not care, and the determinism test checks that it does not.
 */
final class EngineHarness {
    /** Stream id the harness uses for a session's catch-all stream. */
    static final int ALL = 1;

    final Engine engine;
    long nowNanos = 1_000_000_000L;
    private final List<Output> log = new ArrayList<>();
    private final Map<Long, Integer> sendCredits = new HashMap<>();
    private int nextRequestId = 100;

    EngineHarness(EngineConfig config) {
        this.engine = new Engine(config);
    }

    EngineHarness() {
        this(EngineConfig.defaults());
    }

    private long tick() {
        nowNanos += 1_000_000L;
        return nowNanos;
    }

    /** Takes the engine's outputs, records them and returns them. */
    List<Output> collect() {
        List<Output> batch = engine.takeOutputs();
        for (Output o : batch) {
            if (o instanceof Output.SessionAccepted a) {
                sendCredits.put(a.sessionId(), a.sendCredits());
            } else if (o instanceof Output.SendCredit c) {
                sendCredits.merge(c.sessionId(), c.credits(), Integer::sum);
            }
        }
        log.addAll(batch);
        return batch;
    }

    // ------------------------------------------------------------ inputs

    List<Output> connect(long session, String user) {
        engine.connect(session, user, tick());
        return collect();
    }

    /** Connects and opens stream {@link #ALL} with unbounded credit; asserts the session was accepted. */
    String connectReading(long session, String user) {
        List<Output> out = connect(session, user);
        assertThat(out).hasSize(1).first().isInstanceOf(Output.SessionAccepted.class);
        subscribe(session, ALL, StreamFilter.all());
        credit(session, ALL, Long.MAX_VALUE);
        return ((Output.SessionAccepted) out.get(0)).privateName();
    }

    List<Output> subscribe(long session, int stream, StreamFilter filter) {
        engine.subscribe(session, stream, filter, tick());
        return collect();
    }

    List<Output> credit(long session, int stream, long credits) {
        engine.credit(session, stream, credits, tick());
        return collect();
    }

    List<Output> cancel(long session, int stream) {
        engine.cancel(session, stream, tick());
        return collect();
    }

    List<Output> writable(long session, boolean writable) {
        engine.writable(session, writable, tick());
        return collect();
    }

    List<Output> join(long session, String group) {
        engine.join(session, nextRequestId++, group, tick());
        return collect();
    }

    /** Joins and asserts the request completed. */
    void joined(long session, String group) {
        int id = nextRequestId;
        List<Output> out = join(session, group);
        assertThat(out).contains(new Output.RequestDone(session, id));
    }

    List<Output> leave(long session, String group) {
        engine.leave(session, nextRequestId++, group, tick());
        return collect();
    }

    List<Output> disconnect(long session, boolean clean) {
        engine.disconnect(session, clean, tick());
        return collect();
    }

    List<Output> send(long session, List<String> groups, ServiceLevel level, boolean selfDiscard, int type,
            byte[] payload) {
        sendCredits.merge(session, -1, Integer::sum);
        engine.multicast(session, nextRequestId++, groups, level, selfDiscard, type, payload, tick());
        return collect();
    }

    List<Output> send(long session, String group, String text) {
        return send(session, List.of(group), ServiceLevel.AGREED, false, 0, bytes(text));
    }

    /** The request id the next request will use. */
    int nextRequestId() {
        return nextRequestId;
    }

    /** Send credits the client side of {@code session} has been told it has, minus what it spent. */
    int sendCredits(long session) {
        return sendCredits.getOrDefault(session, 0);
    }

    // ------------------------------------------------------------ what happened

    List<Output> log() {
        return List.copyOf(log);
    }

    /** The session an output concerns, or -1 for network outputs. */
    static long sessionOf(Output o) {
        return o instanceof Output.SessionOutput so ? so.sessionId() : -1;
    }

    List<Output> outputsOf(long session) {
        return log.stream().filter(o -> sessionOf(o) == session).toList();
    }

    /** Every event delivered to {@code session} on {@code stream}, in order. */
    List<Event> events(long session, int stream) {
        List<Event> events = new ArrayList<>();
        for (Output o : log) {
            if (o instanceof Output.Deliver d && d.sessionId() == session && d.streamId() == stream) {
                events.add(d.event());
            }
        }
        return events;
    }

    List<Event> events(long session) {
        return events(session, ALL);
    }

    List<MessageEvent> messages(long session) {
        return events(session).stream().filter(MessageEvent.class::isInstance).map(MessageEvent.class::cast).toList();
    }

    List<String> texts(long session) {
        return messages(session).stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    List<ViewEvent> views(long session, String group) {
        return events(session).stream().filter(ViewEvent.class::isInstance).map(ViewEvent.class::cast)
                .filter(v -> v.group().equals(group)).toList();
    }

    ViewEvent lastView(long session, String group) {
        List<ViewEvent> views = views(session, group);
        assertThat(views).as("views of %s at session %d", group, session).isNotEmpty();
        return views.get(views.size() - 1);
    }

    List<Output.CloseSession> closes() {
        return log.stream().filter(Output.CloseSession.class::isInstance).map(Output.CloseSession.class::cast).toList();
    }

    List<Output.RequestFailed> failures(long session) {
        return log.stream().filter(Output.RequestFailed.class::isInstance).map(Output.RequestFailed.class::cast)
                .filter(f -> f.sessionId() == session).toList();
    }

    List<Output.SendCredit> sendCreditOutputs(long session) {
        return log.stream().filter(Output.SendCredit.class::isInstance).map(Output.SendCredit.class::cast)
                .filter(c -> c.sessionId() == session).toList();
    }

    /** The engine says nothing to a session after it told the driver to close it. */
    void assertNothingAfterClose() {
        java.util.Set<Long> closed = new java.util.HashSet<>();
        for (Output o : log) {
            assertThat(closed).as("output %s after the session was closed", o).doesNotContain(sessionOf(o));
            if (o instanceof Output.CloseSession c) {
                closed.add(c.sessionId());
            }
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Event e) {
        return new String(((MessageEvent) e).payload(), StandardCharsets.UTF_8);
    }
}
