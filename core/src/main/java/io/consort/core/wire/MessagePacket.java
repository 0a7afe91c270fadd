package io.consort.core.wire;

/**
 * A message of the ring, multicast by the token holder under the next sequence number. Its body
 * is either an agreed item (io.consort.core.ring.ItemCodec) or, during recovery, a whole message packet of the
 * sender's old ring, re-sent so that every member coming from that ring ends up holding it.
 *
 * <pre>
 * +----------------------------------------+
 * | header (type 2)               6 bytes  |
 * +----------------------------------------+
 * | ring id                       i64      |
 * | seq                           i64      |
 * | kind                          u8       |  0: agreed item, 1: old ring's message (recovery)
 * | flags                         u8       |  bit 0: SAFE, delivered only once all members hold it
 * | body length                   i32      |
 * | body                          bytes    |
 * +----------------------------------------+
 * </pre>
 *
 * The header's sender is the daemon that first multicast the message; a retransmission keeps it.
 */
public record MessagePacket(int sender, long ringId, long seq, int kind, boolean safe, byte[] body)
        implements Packet {
    /** The body is an agreed item. */
    public static final int KIND_ITEM = 0;
    /** The body is an old ring's message packet, carried during recovery. */
    public static final int KIND_RECOVERED = 1;

    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 22 + body.length);
        Header.write(w, Header.TYPE_MESSAGE, sender);
        w.i64(ringId).i64(seq).u8(kind).u8(safe ? 1 : 0).i32(body.length).bytes(body);
        return w.toBytes();
    }

    static MessagePacket decodeBody(int sender, WireReader r) {
        long ringId = r.i64();
        long seq = r.i64();
        int kind = r.u8();
        if (kind != KIND_ITEM && kind != KIND_RECOVERED) {
            throw new WireException("unknown message kind " + kind);
        }
        int flags = r.u8();
        if ((flags & ~1) != 0) {
            throw new WireException("bad message flags " + flags);
        }
        int len = r.count32(1);
        return new MessagePacket(sender, ringId, seq, kind, flags == 1, r.bytes(len));
    }

    /**
     * The old ring's message carried in a {@link #KIND_RECOVERED} body.
     *
     * @throws WireException if the body is not one well-formed item message
     */
    public MessagePacket recovered() {
        if (kind != KIND_RECOVERED) {
            throw new IllegalStateException("not a recovery message");
        }
        Packet p = Packet.decode(body);
        if (!(p instanceof MessagePacket m) || m.kind != KIND_ITEM) {
            throw new WireException("recovery body is not an item message");
        }
        return m;
    }
}
