package io.consort.core.ring;

import io.consort.core.ServiceLevel;
import io.consort.core.ViewId;
import java.util.List;

/**
 * One entry of the agreed stream: what daemons order among themselves. Group membership changes
 * travel in the same stream as messages, so views and messages come out in one order everywhere.
 */
public sealed interface AgreedItem {
    /** The private name of the session the item comes from; its daemon part names the origin daemon. */
    String session();

    /**
     * A multicast. {@code payload} is never changed after construction. {@code originBits} are
     * what the sender's client protocol carries through the daemons unchanged (a Spread client's
     * service type and byte order, see {@link io.consort.core.MessageEvent#originBits()}); 0 for
     * Consort's own clients.
     */
    record Data(String session, List<String> groups, ServiceLevel level, int type, boolean selfDiscard,
            byte[] payload, int originBits) implements AgreedItem {
        public Data {
            groups = List.copyOf(groups);
        }

        /** A multicast of one of Consort's own clients: no origin bits. */
        public Data(String session, List<String> groups, ServiceLevel level, int type, boolean selfDiscard,
                byte[] payload) {
            this(session, groups, level, type, selfDiscard, payload, 0);
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

    /**
     * One piece of a {@link Data} item too large for one datagram: the pieces are consecutive
     * slices of the item's encoding ({@code ItemCodec}), each its own ring message, so that a loss
     * costs one piece's retransmission. {@link FragmentingRing} makes and reassembles them; they
     * never reach the engine.
     *
     * @param session   the sending session, as the whole item's
     * @param messageId identifies the whole item among its daemon's fragmented items
     * @param index     0 to {@code count - 1}
     * @param count     how many pieces the item has, at least 2
     * @param safe      whether the ring must treat this piece as SAFE (the last piece of a SAFE item)
     * @param chunk     the slice
     */
    record Fragment(String session, long messageId, int index, int count, boolean safe, byte[] chunk)
            implements AgreedItem {
    }

    /**
     * Daemon-generated, never from a session: after a configuration change each daemon of the new
     * configuration tells the others which of its own sessions are in which groups. Once every
     * daemon's state is delivered, all of them compute the same new group table.
     *
     * @param daemonId        the reporting daemon
     * @param configurationId the configuration the exchange belongs to; a state of another is ignored
     * @param lineage         a hash of the configuration changes the daemon went through since its groups'
     *                        last views; equal lineage and view id mean "delivered the same messages since"
     * @param groups          the groups with members on this daemon
     */
    record GroupState(int daemonId, long configurationId, long lineage, List<Entry> groups) implements AgreedItem {
        /** One group: its view id at the reporting daemon and the daemon's own members, in view order. */
        public record Entry(String group, ViewId viewId, List<String> members) {
            public Entry {
                members = List.copyOf(members);
            }
        }

        public GroupState {
            groups = List.copyOf(groups);
        }

        /** Empty: the item comes from a daemon, not a session. */
        @Override
        public String session() {
            return "";
        }
    }
}
