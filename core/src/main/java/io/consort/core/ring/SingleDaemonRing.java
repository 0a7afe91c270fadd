package io.consort.core.ring;

import java.util.ArrayDeque;

/**
 * The ring of one daemon: an item is in order as soon as it is submitted. Sequence numbers start
 * at 1 in every configuration; the configuration id is the daemon's incarnation, so that ids
 * never repeat across restarts.
 */
public final class SingleDaemonRing implements Ring {
    private final long configurationId;
    private final ArrayDeque<AgreedItem> pending = new ArrayDeque<>();
    private long lastSequence;

    /** A ring of one in configuration {@code configurationId}. */
    public SingleDaemonRing(long configurationId) {
        this.configurationId = configurationId;
    }

    @Override
    public void submit(AgreedItem item) {
        pending.add(item);
    }

    @Override
    public int drainTo(OrderedSink sink) {
        int n = 0;
        AgreedItem item;
        // The sink may submit more items (a slow session disconnected while delivering); the loop takes them too.
        while ((item = pending.poll()) != null) {
            sink.deliver(configurationId, ++lastSequence, item);
            n++;
        }
        return n;
    }

    @Override
    public long configurationId() {
        return configurationId;
    }
}
