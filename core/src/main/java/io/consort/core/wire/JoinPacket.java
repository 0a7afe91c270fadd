package io.consort.core.wire;

import java.util.List;

/**
 * A join message of the gather state: the daemons the sender believes alive and those it believes
 * failed. A new ring forms once every daemon of (proc set minus fail set) sent the same two sets.
 *
 * <pre>
 * +----------------------------------------+
 * | header (type 3)               6 bytes  |
 * +----------------------------------------+
 * | gather round                  i64      |  a ring seq; the new ring's seq goes above every member's
 * | regular ring id               i64      |  the sender's last installed ring (0: none)
 * | proc count n                  u16      |
 * | proc ids                      n x u16  |  ascending
 * | fail count m                  u16      |
 * | fail ids                      m x u16  |  ascending
 * +----------------------------------------+
 * </pre>
 */
public record JoinPacket(int sender, long ringSeqMax, long regularRingId, List<Integer> procSet,
        List<Integer> failSet) implements Packet {
    public JoinPacket {
        procSet = List.copyOf(procSet);
        failSet = List.copyOf(failSet);
    }

    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 20 + 2 * (procSet.size() + failSet.size()));
        Header.write(w, Header.TYPE_JOIN, sender);
        w.i64(ringSeqMax).i64(regularRingId);
        writeIds(w, procSet);
        writeIds(w, failSet);
        return w.toBytes();
    }

    static void writeIds(WireWriter w, List<Integer> ids) {
        w.u16(ids.size());
        for (int id : ids) {
            w.u16(id);
        }
    }

    static List<Integer> readIds(WireReader r) {
        int n = r.count16(2);
        Integer[] ids = new Integer[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.u16();
            if (i > 0 && ids[i] <= ids[i - 1]) {
                throw new WireException("daemon ids not ascending");
            }
        }
        return List.of(ids);
    }

    static JoinPacket decodeBody(int sender, WireReader r) {
        long seqMax = r.i64();
        long regular = r.i64();
        return new JoinPacket(sender, seqMax, regular, readIds(r), readIds(r));
    }
}
