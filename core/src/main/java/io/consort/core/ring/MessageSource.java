package io.consort.core.ring;

import org.jspecify.annotations.Nullable;

/**
 * Where a token visit takes the new messages it multicasts from: the daemon's queues while
 * operational, the old ring's messages while recovering.
 */
public interface MessageSource {
    /** The next message to send as {@code seq} of ring {@code ringId} by daemon {@code me}, or null for none. */
    MessageStore.@Nullable Stored nextMessage(int me, long ringId, long seq);

    /** How many messages wait here (flow control shares the window by backlog). */
    int backlog();

    /** Whether everything this source had to send is sent (recovery is done at this daemon). */
    boolean exhausted();
}
