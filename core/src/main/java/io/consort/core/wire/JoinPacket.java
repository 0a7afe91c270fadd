package io.consort.core.wire;

import io.consort.core.WireVersions;
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
 * | oldest wire version           u8       |  version 3 on: the sender's range of versions
 * | newest wire version           u8       |
 * +----------------------------------------+
 * </pre>
 *
 * A daemon sends its join once at each version it speaks, newest first, so that a daemon of any
 * version that shares one with it hears it; a version-2 join says only that its sender speaks 2
 * ({@link WireVersions#VERSION_2_ONLY}).
 */
public record JoinPacket(int sender, long ringSeqMax, long regularRingId, List<Integer> procSet,
        List<Integer> failSet, WireVersions versions) implements Packet {
    public JoinPacket {
        procSet = List.copyOf(procSet);
        failSet = List.copyOf(failSet);
    }

    /** A join of a daemon that speaks every version this code does. */
    public JoinPacket(int sender, long ringSeqMax, long regularRingId, List<Integer> procSet, List<Integer> failSet) {
        this(sender, ringSeqMax, regularRingId, procSet, failSet, WireVersions.SUPPORTED);
    }

    /** The join at the newest version both this code and its sender speak (2 for a version-2 join). */
    @Override
    public byte[] encode() {
        return encodeAt(Math.min(Header.VERSION, versions.max()));
    }

    @Override
    public byte[] encodeAt(int version) {
        if (!WireVersions.SUPPORTED.speaks(version) || (version >= 3 && !versions.speaks(version))) {
            throw new IllegalArgumentException("wire version " + version + " for a join of versions " + versions);
        }
        WireWriter w = new WireWriter(Header.BYTES + 22 + 2 * (procSet.size() + failSet.size()));
        Header.write(w, Header.TYPE_JOIN, sender);
        w.i64(ringSeqMax).i64(regularRingId);
        writeIds(w, procSet);
        writeIds(w, failSet);
        if (version >= 3) {
            w.u8(versions.min()).u8(versions.max());
        }
        return Header.stamp(w.toBytes(), version);
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

    static JoinPacket decodeBody(int sender, WireReader r, int version) {
        long seqMax = r.i64();
        long regular = r.i64();
        List<Integer> proc = readIds(r);
        List<Integer> fail = readIds(r);
        WireVersions versions = WireVersions.VERSION_2_ONLY;
        if (version >= 3) {
            int min = r.u8();
            int max = r.u8();
            if (min < 1 || min > max || !(min <= version && version <= max)) {
                throw new WireException("join of version " + version + " announces versions " + min + ".." + max);
            }
            versions = new WireVersions(min, max);
        }
        return new JoinPacket(sender, seqMax, regular, proc, fail, versions);
    }
}
