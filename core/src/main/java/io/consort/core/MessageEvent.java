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
 */
public record MessageEvent(long sequence, String sender, List<String> groups, ServiceLevel level, int type,
        byte[] payload) implements Event {
    public MessageEvent {
        groups = List.copyOf(groups);
    }

    @Override
    public int sizeBytes() {
        return 64 + payload.length + sender.length() + 40 * groups.size();
    }
}
