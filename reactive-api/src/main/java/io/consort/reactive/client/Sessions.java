package io.consort.reactive.client;

import io.consort.reactive.Session;

/** Operations on sessions that are not part of the user API. */
public final class Sessions {
    private Sessions() {
    }

    /**
     * Drops the session's connection without saying goodbye, as a crashed process would: the
     * daemon and the other members see a DISCONNECT. For tests of failure handling.
     */
    public static void abort(Session session) {
        ((DefaultSession) session).abort();
    }
}
