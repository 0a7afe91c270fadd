package io.consort.daemon;

import io.consort.core.Output;

/**
 * Where the engine thread puts one session's outputs: a client connection of some protocol.
 * {@link EngineHost#register} makes a sink receive the outputs of its session; Consort's own
 * session endpoint is one kind, the Spread-protocol endpoint another.
 *
 * <pre>{@code
 * final class MyConnection implements OutputSink {
 *     public long sessionId() { return id; }
 *     public boolean stage(Output o) { ...encode into this batch's buffer...; return firstOfBatch; }
 *     public void flush() { channel.writeAndFlush(batch); }
 *     public boolean isWritable() { return channel.isWritable(); }
 *     public long pendingOutboundBytes() { return 0; }
 * }
 * }</pre>
 *
 * Every method is called on the engine thread.
 */
public interface OutputSink {
    /** The engine session id this sink serves. */
    long sessionId();

    /** Encodes one output into this batch; true if it is the first of the batch (then {@link #flush} follows). */
    boolean stage(Output o);

    /** Writes what this batch staged. */
    void flush();

    /** Whether the connection takes more without queueing past its high water mark. */
    boolean isWritable();

    /** Bytes waiting in the connection's outbound buffer (for tests and metrics). */
    long pendingOutboundBytes();
}
