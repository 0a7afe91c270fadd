package io.consort.core.wire;

/**
 * The header every daemon packet starts with.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |        magic 0xC0 0x5E        |  version = 2  |     type      |
 * +---------------+---------------+---------------+---------------+
 * |     sender daemon id (u16)    |   body of the type ...
 * +---------------+---------------+
 * </pre>
 *
 * All fields big-endian. A decoder checks magic, version and type before it reads anything else.
 */
public final class Header {
    /** Identifies a Consort daemon packet. */
    public static final int MAGIC = 0xC05E;
    /**
     * The only version this code speaks; a packet of any other is dropped. Version 2: the token
     * carries the hearing tallies, beacons carry their ring's members and what it hears, and the
     * leave packet exists; a version-1 daemon and this one do not form a ring together.
     */
    public static final int VERSION = 2;
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

    /** Reads and checks the header; returns the type; {@code senderOut[0]} receives the sender. */
    static int read(WireReader r, int[] senderOut) {
        if (r.remaining() < BYTES) {
            throw new WireException("datagram of " + r.remaining() + " bytes is shorter than a header");
        }
        int magic = r.u16();
        if (magic != MAGIC) {
            throw new WireException("bad magic 0x" + Integer.toHexString(magic));
        }
        int version = r.u8();
        if (version != VERSION) {
            throw new WireException("unsupported version " + version);
        }
        int type = r.u8();
        senderOut[0] = r.u16();
        return type;
    }
}
