package io.consort.core.wire;

/** A decoded daemon packet. Each kind has one codec: its own {@code encode} and {@code decodeBody}. */
public sealed interface Packet permits TokenPacket, MessagePacket, JoinPacket, CommitPacket, BeaconPacket,
        LeavePacket {
    /** The daemon that sent the packet. */
    int sender();

    /** The packet as bytes, header included. */
    byte[] encode();

    /**
     * Decodes a datagram.
     *
     * @throws WireException if it is not a well-formed packet of this version
     */
    static Packet decode(byte[] datagram) {
        WireReader r = new WireReader(datagram);
        int[] sender = new int[1];
        int type = Header.read(r, sender);
        Packet p = switch (type) {
            case Header.TYPE_TOKEN -> TokenPacket.decodeBody(sender[0], r);
            case Header.TYPE_MESSAGE -> MessagePacket.decodeBody(sender[0], r);
            case Header.TYPE_JOIN -> JoinPacket.decodeBody(sender[0], r);
            case Header.TYPE_COMMIT -> CommitPacket.decodeBody(sender[0], r);
            case Header.TYPE_BEACON -> BeaconPacket.decodeBody(sender[0], r);
            case Header.TYPE_LEAVE -> LeavePacket.decodeBody(sender[0], r);
            default -> throw new WireException("unknown packet type " + type);
        };
        r.end();
        return p;
    }
}
