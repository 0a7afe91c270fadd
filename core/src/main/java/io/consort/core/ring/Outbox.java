package io.consort.core.ring;

import io.consort.core.ServiceLevel;
import io.consort.core.wire.MessagePacket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The items this daemon submitted and the ring has not sent: daemon control items (group state),
 * always sent first, and client items, sent only while client traffic is open (from the end of a
 * configuration's group exchange to the next configuration change).
 *
 * <pre>{@code
 * Outbox out = new Outbox();
 * out.submit(item);
 * out.open();
 * MessageStore.Stored st = out.nextMessage(me, ringId, seq);   // the packet to multicast
 * }</pre>
 */
public final class Outbox implements MessageSource {
    private final ArrayDeque<AgreedItem> clientQueue = new ArrayDeque<>();
    private final ArrayDeque<AgreedItem> controlQueue = new ArrayDeque<>();
    private boolean clientOpen;

    /**
     * Queues an item of this daemon. The first part of a group state report starts a new exchange:
     * parts of an earlier one still queued belong to a configuration that has ended and would
     * only be ignored everywhere, so they are dropped rather than sent ahead of it.
     */
    public void submit(AgreedItem item) {
        if (item instanceof AgreedItem.GroupState gs) {
            if (gs.part() == 0) {
                controlQueue.removeIf(q -> q instanceof AgreedItem.GroupState);
            }
            controlQueue.add(item);
        } else {
            clientQueue.add(item);
        }
    }

    /** Client items may be sent again. */
    public void open() {
        clientOpen = true;
    }

    /** A configuration change: client items wait for the next group exchange. */
    public void close() {
        clientOpen = false;
    }

    /** Whether a token visit has something to send now. */
    public boolean hasWork() {
        return !controlQueue.isEmpty() || (clientOpen && !clientQueue.isEmpty());
    }

    /** Whether a control item or a visit's worth ({@code window}) of client items is queued to send: a paced token goes on. */
    public boolean hasVisitWorth(int window) {
        return !controlQueue.isEmpty() || backlog() >= window;
    }

    /** Whether nothing at all is queued, sendable now or not. */
    public boolean isEmpty() {
        return clientQueue.isEmpty() && controlQueue.isEmpty();
    }

    /** Every queued item. */
    public int size() {
        return clientQueue.size() + controlQueue.size();
    }

    /** Takes back the client items not sent, in submission order. */
    public List<AgreedItem> withdrawClientItems() {
        List<AgreedItem> items = new ArrayList<>(clientQueue);
        clientQueue.clear();
        return items;
    }

    @Override
    public int backlog() {
        return controlQueue.size() + (clientOpen ? clientQueue.size() : 0);
    }

    @Override
    public boolean exhausted() {
        return !hasWork();
    }

    /** The next item as a ring message, with the item kept beside its encoding for the store. */
    @Override
    public MessageStore.@Nullable Stored nextMessage(int me, long ringId, long seq) {
        AgreedItem item = controlQueue.poll();
        if (item == null && clientOpen) {
            item = clientQueue.poll();
        }
        if (item == null) {
            return null;
        }
        boolean safe = item instanceof AgreedItem.Data d && d.level() == ServiceLevel.SAFE
                || item instanceof AgreedItem.Fragment f && f.safe();
        MessagePacket m = new MessagePacket(me, ringId, seq, MessagePacket.KIND_ITEM, safe, ItemCodec.encode(item));
        // The item just encoded is stored as it is: decoding it again copied every payload once more.
        return new MessageStore.Stored(m, item, m.encode());
    }
}
