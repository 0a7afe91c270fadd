package io.consort.core.wire;

import java.util.List;

/**
 * Every member's periodic announcement of its ring: who is in it, and which daemons outside it
 * every member hears. Two rings merge only when every member of each hears every member of the
 * other: a link that works one way only would otherwise start a merge that can never complete,
 * over and over.
 *
 * <pre>
 * +-------------------------------+
 * | header (type 5)      6 bytes  |
 * +-------------------------------+
 * | ring id              i64      |
 * | member count n       u16      |
 * | member ids           n x u16  |  ascending
 * | hears count h        u16      |
 * | hears ids            h x u16  |  ascending: daemons of other rings heard by every member
 * +-------------------------------+
 * </pre>
 */
public record BeaconPacket(int sender, long ringId, List<Integer> members, List<Integer> hears) implements Packet {
    public BeaconPacket {
        members = List.copyOf(members);
        hears = List.copyOf(hears);
    }

    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 12 + 2 * (members.size() + hears.size()));
        Header.write(w, Header.TYPE_BEACON, sender);
        w.i64(ringId);
        JoinPacket.writeIds(w, members);
        JoinPacket.writeIds(w, hears);
        return w.toBytes();
    }

    static BeaconPacket decodeBody(int sender, WireReader r) {
        return new BeaconPacket(sender, r.i64(), JoinPacket.readIds(r), JoinPacket.readIds(r));
    }
}
