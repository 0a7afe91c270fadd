package io.consort.core.ring;

import io.consort.core.wire.MessagePacket;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * The old ring's messages this daemon re-sends in the new ring during recovery, each wrapped
 * whole in a {@link MessagePacket#KIND_RECOVERED} message, so that every member that came from
 * the old ring ends up holding the same ones. The daemon's own queue only counts for the backlog:
 * nothing new is sent before the new ring is installed.
 */
public final class RecoveryQueue implements MessageSource {
    private final ArrayDeque<MessageStore.Stored> queue = new ArrayDeque<>();
    private final Outbox outbox;

    /** An empty queue whose backlog adds {@code outbox}'s. */
    public RecoveryQueue(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Queues an old message to re-send. */
    public void add(MessageStore.Stored old) {
        queue.add(old);
    }

    public int size() {
        return queue.size();
    }

    @Override
    public MessageStore.@Nullable Stored nextMessage(int me, long ringId, long seq) {
        MessageStore.Stored old = queue.poll();
        if (old == null) {
            return null;
        }
        MessagePacket m = new MessagePacket(me, ringId, seq, MessagePacket.KIND_RECOVERED, false, old.raw());
        return new MessageStore.Stored(m, null, m.encode());
    }

    @Override
    public int backlog() {
        return outbox.backlog() + queue.size();
    }

    @Override
    public boolean exhausted() {
        return queue.isEmpty();
    }
}
