package io.consort.core.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The commit token: the representative of a new ring sends it around the members twice. On the
 * first rotation every member fills its slot with what it holds of its old ring; on the second
 * every member learns all the slots and enters recovery.
 *
 * <pre>
 * +----------------------------------------+
 * | header (type 4)               6 bytes  |
 * +----------------------------------------+
 * | new ring id                   i64      |
 * | rotation (1 or 2)             u8       |
 * | member count n                u16      |
 * | n slots:                               |
 * |   daemon id                   u16      |  ascending: the ring's order
 * |   filled                      u8       |  0 or 1
 * |   old ring id                 i64      |
 * |   old aru                     i64      |  all received up to, in the old ring
 * |   old highest seq             i64      |
 * |   old safe seq                i64      |  highest seq known held by every old member
 * +----------------------------------------+
 * </pre>
 */
public record CommitPacket(int sender, long ringId, int rotation, List<Slot> slots) implements Packet {
    /** One member's slot. */
    public record Slot(int daemonId, boolean filled, long oldRingId, long oldAru, long oldHighSeq, long oldSafe) {
    }

    public CommitPacket {
        slots = List.copyOf(slots);
    }

    private static final int SLOT_BYTES = 2 + 1 + 8 * 4;

    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 11 + SLOT_BYTES * slots.size());
        Header.write(w, Header.TYPE_COMMIT, sender);
        w.i64(ringId).u8(rotation).u16(slots.size());
        for (Slot s : slots) {
            w.u16(s.daemonId()).bool(s.filled()).i64(s.oldRingId()).i64(s.oldAru()).i64(s.oldHighSeq()).i64(s.oldSafe());
        }
        return w.toBytes();
    }

    static CommitPacket decodeBody(int sender, WireReader r) {
        long ringId = r.i64();
        int rotation = r.u8();
        if (rotation != 1 && rotation != 2) {
            throw new WireException("commit rotation " + rotation);
        }
        int n = r.count16(SLOT_BYTES);
        if (n == 0) {
            throw new WireException("commit token without members");
        }
        List<Slot> slots = new ArrayList<>(n);
        int last = -1;
        for (int i = 0; i < n; i++) {
            Slot s = new Slot(r.u16(), r.bool(), r.i64(), r.i64(), r.i64(), r.i64());
            if (s.daemonId() <= last) {
                throw new WireException("commit members not ascending");
            }
            last = s.daemonId();
            slots.add(s);
        }
        return new CommitPacket(sender, ringId, rotation, slots);
    }

    /** The member ids in ring order. */
    public List<Integer> members() {
        List<Integer> m = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            m.add(s.daemonId());
        }
        return m;
    }
}
