package io.consort.core;

import org.jspecify.annotations.Nullable;

/**
 * What the engine asks its driver to do. The driver performs outputs in the order the engine
 * produced them; they are collected per step as etcd-io/raft's {@code Ready} is.
 */
public sealed interface Output {
    /** An output that concerns one client session: the driver routes it to that session's connection. */
    sealed interface SessionOutput extends Output
            permits SessionAccepted, Deliver, RequestDone, RequestFailed, SendCredit, PauseReading, CloseSession {
        /** The session the output concerns. */
        long sessionId();
    }

    /** An output towards the daemon network or the driver's clock. */
    sealed interface NetworkOutput extends Output permits SendDatagram, BroadcastDatagram, SetTimer {
    }

    /**
     * Send {@code datagram} to daemon {@code toDaemon}. The engine never changes the array after
     * handing it over; loss, duplication and reordering are tolerated by the protocol.
     */
    record SendDatagram(int toDaemon, byte[] datagram) implements NetworkOutput {
    }

    /** Send {@code datagram} to every other daemon of the daemon network (not to this one). */
    record BroadcastDatagram(byte[] datagram) implements NetworkOutput {
    }

    /**
     * Call {@link Engine#tick} once the clock reaches {@code deadlineNanos} (at once if it has
     * already). Replaces any earlier SetTimer: the engine has one wake-up at a time. A tick that
     * comes early or late does no harm; a missing one stalls failure detection.
     */
    record SetTimer(long deadlineNanos) implements NetworkOutput {
    }

    /**
     * A line for the daemon's log, about the daemon network (the wire version a ring runs at, a
     * daemon that cannot be admitted and why); the engine itself has nowhere to write it.
     */
    record Notice(String text) implements Output {
    }

    /**
     * The session's handshake succeeded: it is now {@code privateName}, may send {@code sendCredits}
     * messages, each of at most {@code maxMessageBytes}.
     */
    record SessionAccepted(long sessionId, String privateName, int sendCredits, int maxMessageBytes)
            implements SessionOutput {
    }

    /** Deliver {@code event} to stream {@code streamId} of the session; the stream had a credit for it. */
    record Deliver(long sessionId, int streamId, Event event) implements SessionOutput {
    }

    /** The request (join or leave) completed. */
    record RequestDone(long sessionId, int requestId) implements SessionOutput {
    }

    /** The request failed; the session stays open. A failed multicast gives its send credit back. */
    record RequestFailed(long sessionId, int requestId, ErrorCode code, String reason) implements SessionOutput {
    }

    /**
     * The daemon accepted the session's {@code credits} oldest outstanding multicasts, in order,
     * and the session may send that many more.
     */
    record SendCredit(long sessionId, int credits) implements SessionOutput {
    }

    /**
     * Stop ({@code paused}) or resume reading the session's connection: more than
     * {@link EngineConfig#sendWindowBytes()} of its multicasts are taken and not yet ordered. The send
     * credits bound how many messages a client has outstanding; this bounds their bytes at the daemon,
     * whatever the messages' size, by letting TCP hold the sender back.
     */
    record PauseReading(long sessionId, boolean paused) implements SessionOutput {
    }

    /**
     * Close the session's connection. {@code code} is null for a clean close the client asked for;
     * otherwise the driver tells the client why before it closes.
     */
    record CloseSession(long sessionId, @Nullable ErrorCode code, String reason) implements SessionOutput {
    }
}
