package io.consort.transport.udp;

import java.util.ArrayList;
import java.util.List;

/**
 * The datagrams one destination gets at the next flush, in queue order, each with the segment it
 * was queued in. A segment is a stretch of broadcasts between two unicasts, numbered alike for
 * every destination, so a packet never spans a unicast and the broadcasts of a stretch pack into
 * the same packets for every peer: the first peer's packets are then shared by the others instead
 * of being packed again. (The token is a unicast queued among a visit's broadcasts by the
 * accelerated ring; without segments each peer's greedy packing cut its list differently and no
 * packet could be shared.) Engine thread only.
 */
final class Outbox {
    private final ArrayList<byte[]> datagrams = new ArrayList<>();
    private int[] segments = new int[64];

    void add(byte[] datagram, int segment) {
        if (datagrams.size() == segments.length) {
            segments = java.util.Arrays.copyOf(segments, segments.length * 2);
        }
        segments[datagrams.size()] = segment;
        datagrams.add(datagram);
    }

    int size() {
        return datagrams.size();
    }

    boolean isEmpty() {
        return datagrams.isEmpty();
    }

    byte[] get(int i) {
        return datagrams.get(i);
    }

    int segment(int i) {
        return segments[i];
    }

    /** Datagrams {@code from} (inclusive) to {@code to} (exclusive), a view valid until {@link #clear}. */
    List<byte[]> run(int from, int to) {
        return datagrams.subList(from, to);
    }

    void clear() {
        datagrams.clear();
    }
}
