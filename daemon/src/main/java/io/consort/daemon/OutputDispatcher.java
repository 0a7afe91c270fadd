package io.consort.daemon;

import io.consort.core.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Routes a batch of engine outputs to the connections they concern, then flushes each once. */
final class OutputDispatcher implements Consumer<List<Output>> {
    private final Map<Long, OutputSink> connections = new ConcurrentHashMap<>();
    private final List<OutputSink> touched = new ArrayList<>();
    private java.util.function.LongConsumer onUnwritable = id -> { };

    /**
     * What to do, on the engine thread, with a session whose connection stopped being writable
     * during a batch: tell the engine at once. Waiting for Netty's writability event to travel
     * back through the input queue lets a busy engine keep writing to a client that does not
     * read; this way the slack past the high water mark is at most one batch.
     */
    void onUnwritable(java.util.function.LongConsumer onUnwritable) {
        this.onUnwritable = onUnwritable;
    }

    void register(OutputSink c) {
        connections.put(c.sessionId(), c);
    }

    /** Called on the engine thread after the engine has seen the connection close, so no output can follow. */
    void unregister(long sessionId) {
        connections.remove(sessionId);
    }

    int connectionCount() {
        return connections.size();
    }

    long maxPendingOutboundBytes() {
        long max = 0;
        for (OutputSink c : connections.values()) {
            max = Math.max(max, c.pendingOutboundBytes());
        }
        return max;
    }

    long pendingOutboundBytes() {
        long sum = 0;
        for (OutputSink c : connections.values()) {
            sum += c.pendingOutboundBytes();
        }
        return sum;
    }

    @Override
    public void accept(List<Output> outputs) {
        for (Output o : outputs) {
            if (!(o instanceof Output.SessionOutput so)) {
                continue; // network outputs belong to the daemon network driver
            }
            OutputSink c = connections.get(so.sessionId());
            if (c == null) {
                continue;
            }
            if (c.stage(o)) {
                touched.add(c);
            }
        }
        for (OutputSink c : touched) {
            c.flush();
            if (!c.isWritable()) {
                onUnwritable.accept(c.sessionId());
            }
        }
        touched.clear();
    }
}
