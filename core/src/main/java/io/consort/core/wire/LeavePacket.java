package io.consort.core.wire;

/**
 * A daemon's announcement that it leaves its ring for good (a graceful stop). It is sent only once
 * every message the daemon sent in that ring is held by every member, and carries that fact: every
 * member holds every message up to {@code safeSeq}. The leaver broadcasts it again every token
 * retransmit interval until each other member has answered with a join that counts it failed, so a
 * lost copy costs one interval, not a token-loss timeout.
 *
 * <pre>
 * +-------------------------------+
 * | header (type 6)      6 bytes  |
 * +-------------------------------+
 * | ring id              i64      |  the ring the sender leaves
 * | safe seq             i64      |  every member of that ring holds every message up to here
 * +-------------------------------+
 * </pre>
 */
public record LeavePacket(int sender, long ringId, long safeSeq) implements Packet {
    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 16);
        Header.write(w, Header.TYPE_LEAVE, sender);
        w.i64(ringId).i64(safeSeq);
        return w.toBytes();
    }

    static LeavePacket decodeBody(int sender, WireReader r) {
        return new LeavePacket(sender, r.i64(), r.i64());
    }
}
