package io.consort.core.wire;

/**
 * The representative's periodic announcement of its ring. A daemon of another ring that hears
 * it knows the two rings can see each other and starts a membership change to merge them.
 *
 * <pre>
 * +-------------------------------+
 * | header (type 5)      6 bytes  |
 * +-------------------------------+
 * | ring id              i64      |
 * +-------------------------------+
 * </pre>
 */
public record BeaconPacket(int sender, long ringId) implements Packet {
    @Override
    public byte[] encode() {
        WireWriter w = new WireWriter(Header.BYTES + 8);
        Header.write(w, Header.TYPE_BEACON, sender);
        w.i64(ringId);
        return w.toBytes();
    }

    static BeaconPacket decodeBody(int sender, WireReader r) {
        return new BeaconPacket(sender, r.i64());
    }
}
