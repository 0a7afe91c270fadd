package io.consort.core.wire;

import io.consort.core.WireVersions;

/** A decoded daemon packet. Each kind has one codec: its own {@code encode} and {@code decodeBody}. */
public sealed interface Packet permits TokenPacket, MessagePacket, JoinPacket, CommitPacket, BeaconPacket,
        LeavePacket {
    /** The daemon that sent the packet. */
    int sender();

    /** The packet as bytes, header included, at the newest version ({@link Header#VERSION}). */
    byte[] encode();

    /** The packet as bytes at wire {@code version}, which must be one this code speaks. */
    default byte[] encodeAt(int version) {
        if (!WireVersions.SUPPORTED.speaks(version)) {
            throw new IllegalArgumentException("wire version " + version);
        }
        return Header.stamp(encode(), version);
    }

    /**
     * Decodes a datagram.
     *
     * @throws WireException if it is not a well-formed packet of a version this code speaks
     */
    static Packet decode(byte[] datagram) {
        WireReader r = new WireReader(datagram);
        int[] sender = new int[2];
        int type = Header.read(r, sender);
        Packet p = switch (type) {
            case Header.TYPE_TOKEN -> TokenPacket.decodeBody(sender[0], r);
            case Header.TYPE_MESSAGE -> MessagePacket.decodeBody(sender[0], r);
            case Header.TYPE_JOIN -> JoinPacket.decodeBody(sender[0], r, sender[1]);
            case Header.TYPE_COMMIT -> CommitPacket.decodeBody(sender[0], r);
            case Header.TYPE_BEACON -> BeaconPacket.decodeBody(sender[0], r);
            case Header.TYPE_LEAVE -> LeavePacket.decodeBody(sender[0], r);
            default -> throw new WireException("unknown packet type " + type);
        };
        r.end();
        return p;
    }
}
