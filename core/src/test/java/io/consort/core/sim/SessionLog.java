package io.consort.core.sim;

import io.consort.core.MessageEvent;
import io.consort.core.ServiceLevel;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewEvent;
import java.util.ArrayList;
import java.util.List;

/** What one session sent and received, in the order it happened: the input of the invariant checker. */
final class SessionLog {
    /** How the session's life ended. */
    enum End { ALIVE, DISCONNECTED, CLOSED, CRASHED }

    /** One entry of a session's log. */
    sealed interface Entry permits Sent, Delivered, View, Transitional {
    }

    /** The session multicast message {@code msgId}. */
    record Sent(long msgId) implements Entry {
    }

    /** The session received message {@code msgId}. */
    record Delivered(long msgId, MessageEvent event) implements Entry {
    }

    /** The session installed a view. */
    record View(ViewEvent view) implements Entry {
    }

    /** The session received a transitional signal. */
    record Transitional(TransitionalEvent signal) implements Entry {
    }

    /** A multicast as its sender made it. */
    record Message(long id, String sender, List<String> groups, ServiceLevel level, boolean selfDiscard) {
        boolean fifo() {
            return level.compareTo(ServiceLevel.FIFO) >= 0;
        }

        boolean totallyOrdered() {
            return level.compareTo(ServiceLevel.CAUSAL) >= 0;
        }
    }

    final String name;
    final int daemon;
    final List<Entry> entries = new ArrayList<>();
    End end = End.ALIVE;

    SessionLog(String name, int daemon) {
        this.name = name;
        this.daemon = daemon;
    }

    @Override
    public String toString() {
        return name + "@" + daemon + "(" + end + ", " + entries.size() + " entries)";
    }
}
