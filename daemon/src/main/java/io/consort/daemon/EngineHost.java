package io.consort.daemon;

import io.consort.core.Engine;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a daemon gives a client endpoint of another protocol: session ids, the engine thread to
 * submit inputs to, and the routing of the engine's outputs to that endpoint's connections. It is
 * how the Spread-protocol listener shares one engine with Consort's own session endpoint.
 *
 * <pre>{@code
 * long id = host.newSessionId();
 * host.register(connection);                          // an OutputSink for session id
 * host.submit((engine, now) -> engine.connect(id, "alice", now));
 * ...
 * host.submit((engine, now) -> engine.disconnect(id, false, now));
 * host.unregisterAfterQueued(id);
 * }</pre>
 */
public final class EngineHost {
    /** An input for the engine, run on the engine thread with the loop's current time. */
    @FunctionalInterface
    public interface Task {
        void apply(Engine engine, long nowNanos);
    }

    private final EngineLoop loop;
    private final OutputDispatcher dispatcher;
    private final AtomicLong nextSessionId;
    private final String daemonName;

    EngineHost(EngineLoop loop, OutputDispatcher dispatcher, AtomicLong nextSessionId, String daemonName) {
        this.loop = loop;
        this.dispatcher = dispatcher;
        this.nextSessionId = nextSessionId;
        this.daemonName = daemonName;
    }

    /** A session id no other connection of this daemon has. */
    public long newSessionId() {
        return nextSessionId.incrementAndGet();
    }

    /** The daemon's name: the second part of its sessions' private names. */
    public String daemonName() {
        return daemonName;
    }

    /** Routes the outputs of {@code sink}'s session to it from now on. */
    public void register(OutputSink sink) {
        dispatcher.register(Objects.requireNonNull(sink, "sink"));
    }

    /** Stops routing to session {@code sessionId} once the engine has run every input queued before this call. */
    public void unregisterAfterQueued(long sessionId) {
        loop.submit((e, now) -> dispatcher.unregister(sessionId));
    }

    /** Queues {@code task} for the engine thread; tasks run in the order they were submitted. */
    public void submit(Task task) {
        Objects.requireNonNull(task, "task");
        loop.submit(task::apply);
    }
}
