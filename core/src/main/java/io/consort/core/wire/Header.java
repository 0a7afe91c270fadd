package io.consort.core.wire;

import io.consort.core.WireVersions;

/**
 * The header every daemon packet starts with.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |        magic 0xC0 0x5E        |    version    |     type      |
 * +---------------+---------------+---------------+---------------+
 * |     sender daemon id (u16)    |   body of the type ...
 * +---------------+---------------+
 * </pre>
 *
 * All fields big-endian. A decoder checks magic, version and type before it reads anything else.
 * The version is the sending ring's ({@link io.consort.core.WireVersions}): versions 2 and 3 share every layout but
 * the join's, so a packet is encoded once and stamped with its ring's version on the way out
 * ({@link #stamp}); a version that changes another layout must encode that packet per version.
 */
public final class Header {
    /** Identifies a Consort daemon packet. */
    public static final int MAGIC = 0xC05E;
    /**
     * The newest version this code speaks ({@link io.consort.core.WireVersions#NEWEST}), which {@link Packet#encode()}
     * writes. Version 2 (release d560984): the token carries the hearing tallies, beacons carry
     * their ring's members and what it hears, and the leave packet exists. Version 3: joins also
     * carry the sender's range of versions. A daemon decodes every version in its range.
     */
    public static final int VERSION = WireVersions.NEWEST;
    /** Offset of the version byte. */
    static final int VERSION_OFFSET = 2;
    /** Header length in bytes. */
    public static final int BYTES = 6;

    /** The regular token. */
    public static final int TYPE_TOKEN = 1;
    /** A message of the ring (new or retransmitted, or an old ring's message carried in recovery). */
    public static final int TYPE_MESSAGE = 2;
    /** A join message of the gather state. */
    public static final int TYPE_JOIN = 3;
    /** The commit token that forms a new ring. */
    public static final int TYPE_COMMIT = 4;
    /** The representative's announcement of its ring, for merge detection. */
    public static final int TYPE_BEACON = 5;
    /** A daemon's announcement that it leaves its ring (graceful stop). */
    public static final int TYPE_LEAVE = 6;

    private Header() {
    }

    static void write(WireWriter w, int type, int sender) {
        w.u16(MAGIC).u8(VERSION).u8(type).u16(sender);
    }

    /**
     * Reads and checks the header; returns the type; {@code out[0]} receives the sender and
     * {@code out[1]} the version.
     */
    static int read(WireReader r, int[] out) {
        if (r.remaining() < BYTES) {
            throw new WireException("datagram of " + r.remaining() + " bytes is shorter than a header");
        }
        int magic = r.u16();
        if (magic != MAGIC) {
            throw new WireException("bad magic 0x" + Integer.toHexString(magic));
        }
        int version = r.u8();
        if (!WireVersions.SUPPORTED.speaks(version)) {
            throw new WireException("unsupported version " + version);
        }
        int type = r.u8();
        out[0] = r.u16();
        out[1] = version;
        return type;
    }

    /**
     * The version byte of a datagram that {@link Packet#decode} accepted (or any datagram at least
     * a header long; 0 for a shorter one).
     */
    public static int versionOf(byte[] datagram) {
        return datagram.length < BYTES ? 0 : datagram[VERSION_OFFSET] & 0xFF;
    }

    /**
     * Stamps an encoded packet of a layout shared by versions 2 and 3 with {@code version}, in
     * place: the ring's own datagrams (its stored messages among them) belong to one ring, which has
     * one version, so stamping them again changes nothing.
     */
    public static byte[] stamp(byte[] packet, int version) {
        if ((packet[VERSION_OFFSET] & 0xFF) != version) {
            packet[VERSION_OFFSET] = (byte) version;
        }
        return packet;
    }

    /** A copy of {@code packet} stamped with {@code version} (the packet itself if it has it already). */
    public static byte[] stamped(byte[] packet, int version) {
        return (packet[VERSION_OFFSET] & 0xFF) == version ? packet : stamp(packet.clone(), version);
    }
}
