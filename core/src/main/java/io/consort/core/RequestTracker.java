package io.consort.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The requests of local sessions waiting for their item to come out of the agreed stream. A
 * session's items come out in the order it submitted them, so its requests are a queue.
 */
final class RequestTracker {
    /** A request waiting for its item; a multicast's payload size counts in its session's byte window. */
    record Pending(int requestId, boolean multicast, int payloadBytes) {
    }

    private final Map<String, ArrayDeque<Pending>> byName = new HashMap<>();

    /** Session {@code privateName} submitted an item for request {@code p}. */
    void submitted(String privateName, Pending p) {
        byName.computeIfAbsent(privateName, n -> new ArrayDeque<>()).add(p);
    }

    /** The request of session {@code privateName}'s next item to come out, or null (not local, or gone). */
    @Nullable Pending completeOwn(String privateName) {
        ArrayDeque<Pending> q = byName.get(privateName);
        if (q == null) {
            return null;
        }
        Pending p = q.poll();
        if (q.isEmpty()) {
            byName.remove(privateName);
        }
        return p;
    }

    /** The session is gone from the agreed stream: its waiting requests will never be answered. */
    void forget(String privateName) {
        byName.remove(privateName);
    }
}
