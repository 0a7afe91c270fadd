package io.consort.core;

import org.jspecify.annotations.Nullable;

/**
 * What the engine asks its driver to do. The driver performs outputs in the order the engine
 * produced them; they are collected per step as etcd-io/raft's {@code Ready} is.
 */
public sealed interface Output {
    /** The session the output concerns. */
    long sessionId();

    /** The session's handshake succeeded: it is now {@code privateName} and may send {@code sendCredits} messages. */
    record SessionAccepted(long sessionId, String privateName, int sendCredits) implements Output {
    }

    /** Deliver {@code event} to stream {@code streamId} of the session; the stream had a credit for it. */
    record Deliver(long sessionId, int streamId, Event event) implements Output {
    }

    /** The request (join or leave) completed. */
    record RequestDone(long sessionId, int requestId) implements Output {
    }

    /** The request failed; the session stays open. A failed multicast gives its send credit back. */
    record RequestFailed(long sessionId, int requestId, ErrorCode code, String reason) implements Output {
    }

    /**
     * The daemon accepted the session's {@code credits} oldest outstanding multicasts, in order,
     * and the session may send that many more.
     */
    record SendCredit(long sessionId, int credits) implements Output {
    }

    /**
     * Close the session's connection. {@code code} is null for a clean close the client asked for;
     * otherwise the driver tells the client why before it closes.
     */
    record CloseSession(long sessionId, @Nullable ErrorCode code, String reason) implements Output {
    }
}
