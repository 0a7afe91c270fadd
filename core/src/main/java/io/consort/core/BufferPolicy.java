package io.consort.core;

import io.consort.core.session.ClientSession;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a daemon does about sessions that do not keep up ({@link EngineConfig.SlowConsumerPolicy}),
 * and when it tells senders their credits back. A session past its buffer bound is disconnected,
 * or, with HOLD_SENDERS, every sender's credits wait until it is back under half its bound; past
 * twice the bound (and a message) it goes whatever the policy.
 */
final class BufferPolicy {
    /** Closes a session for a cause: the engine's own close. */
    interface Closer {
        void close(ClientSession s, ErrorCode code, String reason);
    }

    private final EngineConfig config;
    private final Closer closer;
    private final Set<ClientSession> creditsToReport = new LinkedHashSet<>();
    private final Set<ClientSession> overBound = new LinkedHashSet<>();

    BufferPolicy(EngineConfig config, Closer closer) {
        this.config = config;
        this.closer = closer;
    }

    /** Hands {@code e} to session {@code s}, then applies the policy to what it buffers. */
    void deliverTo(ClientSession s, Event e, java.util.List<String> receivingGroups, Consumer<Output> out) {
        s.enqueue(e, receivingGroups, out);
        if (s.bufferedBytes() > config.sessionBufferBytesMax()) {
            // Holding senders back stops multicasts, not joins and leaves: past twice the bound (and
            // a message) the session goes whatever the policy, so no client grows a daemon without limit.
            if (config.slowConsumerPolicy() == EngineConfig.SlowConsumerPolicy.DISCONNECT
                    || s.bufferedBytes() > 2 * config.sessionBufferBytesMax() + config.maxMessageBytes()) {
                closer.close(s, ErrorCode.SLOW_CONSUMER, "session " + s.privateName() + " fell behind: "
                        + s.bufferedBytes() + " bytes waiting, over the bound of " + config.sessionBufferBytesMax());
            } else {
                overBound.add(s);
            }
        }
    }

    /** The sender's multicast was accepted: its credit is to be reported. */
    void creditToReport(ClientSession s) {
        creditsToReport.add(s);
    }

    /** The session is gone. */
    void forget(ClientSession s) {
        creditsToReport.remove(s);
        overBound.remove(s);
    }

    /** After an input: reports the returned credits unless a session is still over its bound. */
    void reportCredits(Consumer<Output> out) {
        if (!overBound.isEmpty()) {
            overBound.removeIf(s -> s.bufferedBytes() <= config.sessionBufferBytesMax() / 2);
        }
        if (overBound.isEmpty() && !creditsToReport.isEmpty()) {
            // A session over its byte window keeps its credits until ordering brings it back under.
            creditsToReport.removeIf(s -> {
                if (s.unorderedBytes() > config.sendWindowBytes()) {
                    return false;
                }
                out.accept(new Output.SendCredit(s.id(), s.takeReturnedCredits()));
                return true;
            });
        }
    }

    /** Pauses or resumes reading the session's connection as its unordered bytes cross {@link EngineConfig#sendWindowBytes()}. */
    void readingWindow(ClientSession s, Consumer<Output> out) {
        Boolean paused = s.readingPausedChange(config.sendWindowBytes());
        if (paused != null) {
            out.accept(new Output.PauseReading(s.id(), paused));
        }
    }

    /** Fail-stop: only registered sessions are tracked here. */
    void checkInvariants(SessionRegistry sessions) {
        for (Set<ClientSession> set : java.util.List.of(overBound, creditsToReport)) {
            for (ClientSession s : set) {
                if (sessions.get(s.id()) != s) {
                    throw new IllegalStateException("buffer policy tracks session " + s.privateName() + ", which is gone");
                }
            }
        }
    }
}
