package io.consort.core.session;

import io.consort.core.Event;
import io.consort.core.StreamFilter;
import java.util.ArrayDeque;

/**
 * One subscribed stream of a session: its filter, the credits its subscriber granted, and the
 * events waiting for credits. Credits are per stream so that one slow subscriber never stalls
 * the session's other streams.
 */
final class SessionStream {
    final int id;
    final StreamFilter filter;
    final ArrayDeque<Event> queue = new ArrayDeque<>();
    private long credits;

    SessionStream(int id, StreamFilter filter) {
        this.id = id;
        this.filter = filter;
    }

    long credits() {
        return credits;
    }

    /** Adds credits, saturating: a subscriber asking for Long.MAX_VALUE in pieces must never wrap around. */
    void grant(long n) {
        long sum = credits + n;
        credits = sum < 0 ? Long.MAX_VALUE : sum;
    }

    void spend() {
        if (credits != Long.MAX_VALUE) {
            credits--;
        }
    }
}
