package io.consort.core;

import java.util.List;
import java.util.Objects;

/**
 * One input to the {@link Engine}, as data: what a driver hands to {@link Engine#step} with the
 * time it read. Because inputs are values, a driver can queue them, log them, and record them to a
 * file ({@link InputRecording}) that a test replays through a fresh engine to the same outputs.
 *
 * <p>Inputs carry what arrived, not what it should mean: a multicast's service level is the wire
 * code the client sent, and the engine refuses a bad one, so every driver gets the same checks.
 *
 * <pre>{@code
 * List<Output> out = engine.step(new Input.Connect(1, "alice"), now);
 * out = engine.step(new Input.Join(1, 7, "chat"), now);
 * out = engine.step(new Input.Tick(), timerDeadline);
 * }</pre>
 */
public sealed interface Input {
    /** A client completed its handshake on connection {@code sessionId}, asking to be {@code user}. */
    record Connect(long sessionId, String user) implements Input {
        public Connect {
            Objects.requireNonNull(user, "user");
        }
    }

    /** The session opens stream {@code streamId}; it receives nothing until it grants credits. */
    record Subscribe(long sessionId, int streamId, StreamFilter filter) implements Input {
        public Subscribe {
            Objects.requireNonNull(filter, "filter");
        }
    }

    /** The session's subscriber on stream {@code streamId} asked for {@code credits} more events. */
    record Credit(long sessionId, int streamId, long credits) implements Input {
    }

    /** The session closes stream {@code streamId}. */
    record Cancel(long sessionId, int streamId) implements Input {
    }

    /** The session asks to join {@code group}. */
    record Join(long sessionId, int requestId, String group) implements Input {
        public Join {
            Objects.requireNonNull(group, "group");
        }
    }

    /** The session asks to leave {@code group}. */
    record Leave(long sessionId, int requestId, String group) implements Input {
        public Leave {
            Objects.requireNonNull(group, "group");
        }
    }

    /**
     * The session multicasts {@code payload} to {@code destinations} at the service level with wire
     * code {@code level} (see {@link ServiceLevel#code()}); the engine refuses an unknown one.
     * {@code originBits} is what a client of another protocol (Spread's) carries unchanged to the
     * receivers ({@link MessageEvent#originBits()}); 0 for Consort's own clients.
     */
    record Multicast(long sessionId, int requestId, List<String> destinations, int level, boolean selfDiscard,
            int type, byte[] payload, int originBits) implements Input {
        public Multicast {
            destinations = List.copyOf(destinations);
            Objects.requireNonNull(payload, "payload");
        }

        /** A multicast at a known level. */
        public Multicast(long sessionId, int requestId, List<String> destinations, ServiceLevel level,
                boolean selfDiscard, int type, byte[] payload) {
            this(sessionId, requestId, destinations, level.code(), selfDiscard, type, payload, 0);
        }

        /** A Consort client's multicast, at a level by its wire code. */
        public Multicast(long sessionId, int requestId, List<String> destinations, int level,
                boolean selfDiscard, int type, byte[] payload) {
            this(sessionId, requestId, destinations, level, selfDiscard, type, payload, 0);
        }
    }

    /** The session is gone: cleanly (the client said goodbye, others see LEAVE) or lost (DISCONNECT). */
    record Disconnect(long sessionId, boolean clean) implements Input {
    }

    /** The driver's connection to the session became writable or stopped being so. */
    record Writable(long sessionId, boolean writable) implements Input {
    }

    /** A datagram from daemon {@code fromDaemon}; the engine drops malformed ones. */
    record Datagram(int fromDaemon, byte[] bytes) implements Input {
        public Datagram {
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    /** The timer asked for with {@link Output.SetTimer} fired, or the driver starts a clustered engine. */
    record Tick() implements Input {
    }

    /** The daemon stops gracefully (see {@link Engine#shutdown}). */
    record Shutdown() implements Input {
    }
}
