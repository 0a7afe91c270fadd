package io.consort.core;

import java.util.List;

/**
 * A message as delivered to a session. One instance is shared by every receiving session of a
 * daemon; the payload array is never changed after it is built.
 *
 * @param sequence the message's position in the configuration's total order
 * @param sender   the private name of the sending session
 * @param groups   the groups the message was sent to, in the sender's order
 * @param level    the service level the sender chose
 * @param type     the sender's 16-bit message type, untouched
 * @param payload  the bytes the sender sent
 * @param originBits what the sender's client protocol carried unchanged through the daemons, for
 *                 receivers of the same protocol: 0 for Consort's own clients; for a Spread client
 *                 its service type as it wrote it (SELF_DISCARD and every other bit Spread passes
 *                 through, the endianness marker cleared), with bit 7 set when it wrote big-endian
 */
public record MessageEvent(long sequence, String sender, List<String> groups, ServiceLevel level, int type,
        byte[] payload, int originBits) implements Event {
    public MessageEvent {
        groups = List.copyOf(groups);
    }

    /** A message of one of Consort's own clients: no origin bits. */
    public MessageEvent(long sequence, String sender, List<String> groups, ServiceLevel level, int type,
            byte[] payload) {
        this(sequence, sender, groups, level, type, payload, 0);
    }

    @Override
    public int sizeBytes() {
        return 64 + payload.length + sender.length() + 40 * groups.size();
    }
}
