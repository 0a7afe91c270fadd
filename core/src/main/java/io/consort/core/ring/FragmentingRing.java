package io.consort.core.ring;

import io.consort.core.EngineConfig;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.wire.WireException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Ring} decorator that carries items larger than one datagram: a {@link AgreedItem.Data}
 * whose ring message would exceed {@link EngineConfig#maxDatagramBytes()} is cut into
 * {@link AgreedItem.Fragment}s, each ordered by the inner ring as its own message (so a lost
 * datagram costs one fragment's retransmission, and other daemons' traffic interleaves with a
 * large transfer). Every daemon reassembles the fragments as they come out of the agreed stream
 * and delivers the whole item at the position of its last fragment.
 *
 * <p>Rules that keep every daemon's result the same:
 * <ul>
 * <li>A daemon submits each item's fragments consecutively, and has at most
 *     {@link #MAX_IN_FLIGHT} fragmented items in the ring that have not yet come out whole (more
 *     wait here). The inner ring sends a daemon's items in submission order, and a daemon gets
 *     every message it sent in a configuration out before the next regular one: so when an own
 *     item is cut (below), its unsent fragments and everything this daemon submitted after it are
 *     still unsent.</li>
 * <li>Fragments are reassembled per sending session. A fragment that does not continue its
 *     session's reassembly exactly (a gap, or not index 0 to start) discards it.</li>
 * <li>At every new regular configuration every daemon discards all unfinished reassemblies, so an
 *     item whose fragments span two configurations is delivered nowhere. Its origin daemon, which
 *     sees that its own item was cut, takes its unsent items back from the inner ring
 *     ({@link Ring#withdrawClientItems}) and submits the cut item again, whole, then the items that
 *     followed it, in their order: so the resubmission keeps the daemon's order.</li>
 * </ul>
 * Daemon-generated control items ({@link AgreedItem.GroupState}) pass straight through.
 */
public final class FragmentingRing implements Ring {
    /** Ring message bytes around an item's encoding: a message header, twice when carried in recovery. */
    static final int MESSAGE_OVERHEAD_BYTES = 2 * (6 + 22);
    /**
     * Fragmented items of this daemon in the ring at once. One at a time capped a daemon at one
     * large item per submit-to-delivery round trip (about two token rotations), which a busy daemon
     * could not keep up with (simulator seed 2000812).
     */
    static final int MAX_IN_FLIGHT = 8;

    private record Key(String session, long messageId) {
    }

    private static final class Reassembly {
        final Key key;
        final int count;
        int next;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Reassembly(Key key, int count) {
            this.key = key;
            this.count = count;
        }
    }

    /** A fragmented item of this daemon in the ring. */
    private static final class InFlight {
        final AgreedItem.Data data;
        final long messageId;
        int seen;

        InFlight(AgreedItem.Data data, long messageId) {
            this.data = data;
            this.messageId = messageId;
        }
    }

    private final Ring inner;
    private final int chunkBytes;
    private final int maxDatagramBytes;
    private final ArrayDeque<AgreedItem> waiting = new ArrayDeque<>();
    private final Map<String, Reassembly> reassemblies = new HashMap<>();
    /** This daemon's fragmented items in the ring, oldest first; they come out whole in this order. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long nextMessageId;
    private long fragmentedSent;
    private long resubmitted;
    private long discardedFragments;
    private @Nullable OrderedSink target;
    /** The deadline of a requested leave, or MAX_VALUE; passed on once nothing waits here. */
    private long leaveDeadline = Long.MAX_VALUE;
    private boolean leaveRequested;
    private boolean leavePassedOn;
    private long now;
    private final OrderedSink interceptor = new OrderedSink() {
        @Override
        public void deliver(long configurationId, long sequence, AgreedItem item) {
            if (item instanceof AgreedItem.Fragment f) {
                onFragment(configurationId, sequence, f);
            } else {
                sink().deliver(configurationId, sequence, item);
            }
        }

        @Override
        public void transitional(long oldConfigurationId, long newConfigurationId, List<Integer> daemons) {
            sink().transitional(oldConfigurationId, newConfigurationId, daemons);
        }

        @Override
        public void regular(long configurationId, List<Integer> daemons) {
            onRegular();
            sink().regular(configurationId, daemons);
        }
    };

    /** Fragments what does not fit {@code config.maxDatagramBytes()} around {@code inner}. */
    public FragmentingRing(Ring inner, EngineConfig config) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.maxDatagramBytes = config.maxDatagramBytes();
        this.chunkBytes = maxDatagramBytes - MESSAGE_OVERHEAD_BYTES - ItemCodec.FRAGMENT_OVERHEAD_BYTES;
        if (chunkBytes < 128) {
            throw new IllegalArgumentException("maxDatagramBytes " + maxDatagramBytes + " leaves no room for fragments");
        }
    }

    /**
     * The most bytes an item's encoding may have to travel whole in one ring message of at most
     * {@code maxDatagramBytes}, carried in recovery included: what a daemon-generated item
     * ({@link AgreedItem.GroupState}, which is never fragmented) is cut to.
     */
    public static int wholeItemBytesMax(int maxDatagramBytes) {
        return maxDatagramBytes - MESSAGE_OVERHEAD_BYTES;
    }

    /** The ring this one decorates. */
    public Ring inner() {
        return inner;
    }

    /** How many items were sent in fragments. */
    public long fragmentedItems() {
        return fragmentedSent;
    }

    /** How many fragmented items were cut by a configuration change and submitted again. */
    public long resubmittedItems() {
        return resubmitted;
    }

    /** Fragments dropped because their item could not be completed (cut by a configuration change). */
    public long discardedFragments() {
        return discardedFragments;
    }

    @Override
    public RingCounters counters() {
        return inner.counters();
    }

    /** Datagrams the inner ring dropped as malformed, if it counts them. */
    @Override
    public long droppedDatagrams() {
        return inner.droppedDatagrams();
    }

    @Override
    public int wireVersion() {
        return inner.wireVersion();
    }

    private OrderedSink sink() {
        OrderedSink s = target;
        if (s == null) {
            throw new IllegalStateException("not draining");
        }
        return s;
    }

    // ------------------------------------------------------------------ Ring

    @Override
    public void submit(AgreedItem item) {
        if (item instanceof AgreedItem.GroupState) {
            inner.submit(item);
            return;
        }
        waiting.add(item);
        pump();
    }

    private void pump() {
        while (inFlight.size() < MAX_IN_FLIGHT && !waiting.isEmpty()) {
            AgreedItem item = waiting.poll();
            if (item instanceof AgreedItem.Data d && messageBytes(d) > maxDatagramBytes) {
                sendFragmented(d);
            } else {
                inner.submit(item);
            }
        }
        if (inFlight.size() > MAX_IN_FLIGHT) {
            throw new IllegalStateException(inFlight.size() + " fragmented items in flight, more than " + MAX_IN_FLIGHT);
        }
    }

    private void sendFragmented(AgreedItem.Data d) {
        fragmentedSent++;
        fragment(d);
    }

    private void fragment(AgreedItem.Data d) {
        long id = nextMessageId++;
        byte[] encoded = ItemCodec.encode(d);
        int count = (encoded.length + chunkBytes - 1) / chunkBytes;
        boolean safe = d.level() == ServiceLevel.SAFE;
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            byte[] chunk = java.util.Arrays.copyOfRange(encoded, from, Math.min(encoded.length, from + chunkBytes));
            inner.submit(new AgreedItem.Fragment(d.session(), id, i, count, safe && i == count - 1, chunk));
        }
        inFlight.add(new InFlight(d, id));
    }

    /** The ring message size of {@code d} sent whole, recovery wrapping included. */
    static long messageBytes(AgreedItem.Data d) {
        long n = MESSAGE_OVERHEAD_BYTES + 1 + 2 + utf8(d.session()) + 2 + 1 + 2 + 1 + 4 + (long) d.payload().length;
        for (String g : d.groups()) {
            n += 2 + utf8(g);
        }
        return n;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public int drainTo(OrderedSink sink) {
        OrderedSink previous = target;
        target = sink;
        try {
            return inner.drainTo(interceptor);
        } finally {
            target = previous;
        }
    }

    private void onFragment(long configurationId, long sequence, AgreedItem.Fragment f) {
        InFlight mine = inFlight.peek();
        boolean own = mine != null && mine.messageId == f.messageId() && mine.data.session().equals(f.session());
        if (own) {
            mine.seen++;
        }
        Reassembly r = reassemblies.get(f.session());
        if (f.index() == 0) {
            if (r != null) {
                discardedFragments += r.next;
            }
            r = new Reassembly(new Key(f.session(), f.messageId()), f.count());
            reassemblies.put(f.session(), r);
        } else if (r == null || !r.key.equals(new Key(f.session(), f.messageId())) || r.next != f.index()
                || r.count != f.count()) {
            if (r != null) {
                discardedFragments += r.next;
                reassemblies.remove(f.session());
            }
            discardedFragments++;
            return;
        }
        r.bytes.writeBytes(f.chunk());
        r.next++;
        if (r.next < r.count) {
            return;
        }
        reassemblies.remove(f.session());
        if (own) {
            inFlight.poll();
        }
        AgreedItem whole;
        try {
            whole = ItemCodec.decode(r.bytes.toByteArray());
        } catch (WireException e) {
            // Fragments of a daemon are made from an encoded item: this is a bug, not bad input,
            // but it must not take the daemon down. Every daemon drops it alike.
            discardedFragments += r.count;
            whole = null;
        }
        if (whole instanceof AgreedItem.Data) {
            sink().deliver(configurationId, sequence, whole);
        }
        if (own) {
            pump();
            passLeaveOn();
        }
    }

    private void onRegular() {
        for (Reassembly r : reassemblies.values()) {
            discardedFragments += r.next;
        }
        reassemblies.clear();
        InFlight mine = inFlight.peek();
        if (mine != null && mine.seen > 0) {
            // Part of it came out in the old configuration: the rest would be dropped everywhere.
            // The rest, and all this daemon submitted after it, is still unsent (see the class
            // comment): take it back, and submit the item again, whole, then what followed it.
            Map<Long, AgreedItem.Data> byId = new HashMap<>();
            for (InFlight f : inFlight) {
                byId.put(f.messageId, f.data);
            }
            inFlight.clear();
            List<AgreedItem> again = new java.util.ArrayList<>();
            again.add(mine.data);
            for (AgreedItem item : inner.withdrawClientItems()) {
                if (item instanceof AgreedItem.Fragment f) {
                    AgreedItem.Data d = byId.get(f.messageId());
                    if (f.index() == 0 && d != null && d != mine.data) {
                        again.add(d);
                    }
                } else {
                    again.add(item);
                }
            }
            for (int i = again.size() - 1; i >= 0; i--) {
                waiting.addFirst(again.get(i));
            }
            resubmitted++;
            pump();
        }
        passLeaveOn();
    }

    @Override
    public long configurationId() {
        return inner.configurationId();
    }

    @Override
    public void receive(int fromDaemon, byte[] datagram, long nowNanos) {
        inner.receive(fromDaemon, datagram, nowNanos);
    }

    @Override
    public void tick(long nowNanos) {
        now = Math.max(now, nowNanos);
        inner.tick(nowNanos);
    }

    @Override
    public long nextDeadlineNanos() {
        long d = inner.nextDeadlineNanos();
        return leaveRequested && !leavePassedOn ? Math.min(d, leaveDeadline) : d;
    }

    /**
     * The inner ring learns of the leave only once nothing waits here: it announces the leave when
     * all it was given is held by every member, and items still waiting here would come too late.
     */
    @Override
    public void leave(long deadlineNanos) {
        if (!leaveRequested) {
            leaveRequested = true;
            leaveDeadline = deadlineNanos;
            passLeaveOn();
        }
    }

    private void passLeaveOn() {
        if (leaveRequested && !leavePassedOn && waiting.isEmpty()) {
            leavePassedOn = true;
            inner.leave(leaveDeadline);
        }
    }

    @Override
    public boolean left() {
        return leavePassedOn ? inner.left() : leaveRequested && now >= leaveDeadline;
    }

    @Override
    public void takeOutputs(Consumer<? super Output> out) {
        inner.takeOutputs(out);
    }

    @Override
    public void openClientTraffic(long configurationId) {
        inner.openClientTraffic(configurationId);
    }

    @Override
    public int heldMessages() {
        return inner.heldMessages() + waiting.size();
    }

    @Override
    public List<Integer> members() {
        return inner.members();
    }

    @Override
    public String toString() {
        return inner + (waiting.isEmpty() ? "" : " waiting " + waiting.size());
    }
}
