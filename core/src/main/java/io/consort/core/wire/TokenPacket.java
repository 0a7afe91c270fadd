package io.consort.core.wire;

import java.util.List;

/**
 * The regular token of the Totem single ring. Only its holder multicasts; it carries what the
 * ring agrees on: the highest sequence number assigned, what every member has received, the
 * retransmissions wanted and the flow-control counts.
 *
 * <pre>
 * +----------------------------------------+
 * | header (type 1)               6 bytes  |
 * +----------------------------------------+
 * | ring id                       i64      |
 * | stamp                         i64      |  +1 per hop: a token not newer than the last seen is a duplicate
 * | seq                           i64      |  highest sequence number assigned in this ring
 * | aru                           i64      |  all received up to: min of the members' arus
 * | aru id                        i16      |  member holding the aru down, -1 when aru = seq
 * | fcc                           i32      |  messages multicast during the last rotation
 * | backlog                       i32      |  messages waiting at all members, last rotation
 * | flags                         u8       |  bit 0: recovery of this ring is complete
 * | member count n                u16      |
 * | n x member aru                i64      |  in ring order; written only by that member
 * | n x member flags              u8       |  bit 0: the member sent all its recovery messages
 * | rtr count m                   u16      |
 * | m x wanted seq                i64      |  retransmission requests
 * | hearing count h               u16      |
 * | h x daemon id                 u16      |  daemons of other rings heard by every member
 * |                                        |  so far in this rotation (the representative restarts it)
 * | heard count v                 u16      |
 * | v x daemon id                 u16      |  the same, as of the last complete rotation
 * +----------------------------------------+
 * </pre>
 *
 * The per-member arus make the aru exact: a message is safe once every entry reaches it. The
 * single aru and aru id fields are the minimum and its holder, kept for readers of the token.
 */
public record TokenPacket(int sender, long ringId, long stamp, long seq, long aru, int aruId, int fcc, int backlog,
        boolean recovered, long[] memberArus, boolean[] memberDone, long[] rtr, List<Integer> hearing,
        List<Integer> heard) implements Packet {

    /** The most retransmission requests a token carries; more wait for the next rotation. */
    public static final int MAX_RTR = 256;

    public TokenPacket {
        if (memberArus.length != memberDone.length) {
            throw new IllegalArgumentException("member arrays differ in length");
        }
        hearing = List.copyOf(hearing);
        heard = List.copyOf(heard);
    }

    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 68 + 9 * memberArus.length + 8 * rtr.length
                + 2 * (hearing.size() + heard.size()));
        Header.write(w, Header.TYPE_TOKEN, sender);
        w.i64(ringId).i64(stamp).i64(seq).i64(aru).u16(aruId & 0xFFFF).i32(fcc).i32(backlog).u8(recovered ? 1 : 0);
        w.u16(memberArus.length);
        for (long a : memberArus) {
            w.i64(a);
        }
        for (boolean d : memberDone) {
            w.u8(d ? 1 : 0);
        }
        w.u16(rtr.length);
        for (long s : rtr) {
            w.i64(s);
        }
        JoinPacket.writeIds(w, hearing);
        JoinPacket.writeIds(w, heard);
        return w.toBytes();
    }

    static TokenPacket decodeBody(int sender, WireReader r) {
        long ringId = r.i64();
        long stamp = r.i64();
        long seq = r.i64();
        long aru = r.i64();
        int aruId = (short) r.u16();
        int fcc = r.i32();
        int backlog = r.i32();
        int flags = r.u8();
        if (fcc < 0 || backlog < 0 || (flags & ~1) != 0) {
            throw new WireException("bad token counts or flags");
        }
        int n = r.count16(9);
        long[] arus = new long[n];
        for (int i = 0; i < n; i++) {
            arus[i] = r.i64();
        }
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            int f = r.u8();
            if ((f & ~1) != 0) {
                throw new WireException("bad member flags");
            }
            done[i] = f == 1;
        }
        int m = r.count16(8);
        if (m > MAX_RTR) {
            throw new WireException("rtr list of " + m);
        }
        long[] rtr = new long[m];
        for (int i = 0; i < m; i++) {
            rtr[i] = r.i64();
        }
        return new TokenPacket(sender, ringId, stamp, seq, aru, aruId, fcc, backlog, flags == 1, arus, done, rtr,
                JoinPacket.readIds(r), JoinPacket.readIds(r));
    }
}
