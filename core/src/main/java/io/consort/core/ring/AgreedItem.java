package io.consort.core.ring;

import io.consort.core.ServiceLevel;
import java.util.List;

/**
 * One entry of the agreed stream: what daemons order among themselves. Group membership changes
 * travel in the same stream as messages, so views and messages come out in one order everywhere.
 */
public sealed interface AgreedItem {
    /** The private name of the session the item comes from; its daemon part names the origin daemon. */
    String session();

    /** A multicast. {@code payload} is never changed after construction. */
    record Data(String session, List<String> groups, ServiceLevel level, int type, boolean selfDiscard,
            byte[] payload) implements AgreedItem {
        public Data {
            groups = List.copyOf(groups);
        }
    }

    /** {@code session} joins {@code group}. */
    record Join(String session, String group) implements AgreedItem {
    }

    /** {@code session} leaves {@code group}. */
    record Leave(String session, String group) implements AgreedItem {
    }

    /** {@code session} is gone: cleanly (LEAVE for the others) or not (DISCONNECT). */
    record Disconnect(String session, boolean clean) implements AgreedItem {
    }
}
