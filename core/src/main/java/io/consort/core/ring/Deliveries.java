package io.consort.core.ring;

import java.util.ArrayDeque;
import java.util.List;

/**
 * What a ring has put in order and not yet handed to the engine: items, transitional and regular
 * configurations, in the order the {@link OrderedSink} must see them.
 *
 * <pre>{@code
 * Deliveries d = new Deliveries();
 * d.item(ringId, seq, item);
 * d.regular(ringId, members);
 * d.drainTo(sink);   // sink.deliver(...), then sink.regular(...)
 * }</pre>
 */
public final class Deliveries {
    private sealed interface Delivery {
    }

    private record ItemDelivery(long ringId, long seq, AgreedItem item) implements Delivery {
    }

    private record TransitionalDelivery(long oldRingId, long newRingId, List<Integer> daemons) implements Delivery {
    }

    private record RegularDelivery(long ringId, List<Integer> daemons) implements Delivery {
    }

    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();

    /** Item {@code seq} of configuration {@code configurationId}. */
    public void item(long configurationId, long seq, AgreedItem item) {
        queue.add(new ItemDelivery(configurationId, seq, item));
    }

    /** The stored message {@code seq} of ring {@code ringId}, if it carries an item (a recovery carrier does not). */
    public void stored(long ringId, long seq, MessageStore.Stored st) {
        AgreedItem item = st.item();
        if (item != null) {
            item(ringId, seq, item);
        }
    }

    /** The transitional configuration from {@code oldRingId} to {@code newRingId}. */
    public void transitional(long oldRingId, long newRingId, List<Integer> daemons) {
        queue.add(new TransitionalDelivery(oldRingId, newRingId, daemons));
    }

    /** The regular configuration {@code ringId}. */
    public void regular(long ringId, List<Integer> daemons) {
        queue.add(new RegularDelivery(ringId, daemons));
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    public int size() {
        return queue.size();
    }

    /** Hands every waiting delivery to {@code sink}, in order; returns how many. */
    public int drainTo(OrderedSink sink) {
        int n = 0;
        Delivery d;
        while ((d = queue.poll()) != null) {
            n++;
            if (d instanceof ItemDelivery i) {
                sink.deliver(i.ringId(), i.seq(), i.item());
            } else if (d instanceof TransitionalDelivery t) {
                sink.transitional(t.oldRingId(), t.newRingId(), t.daemons());
            } else {
                RegularDelivery r = (RegularDelivery) d;
                sink.regular(r.ringId(), r.daemons());
            }
        }
        return n;
    }
}
