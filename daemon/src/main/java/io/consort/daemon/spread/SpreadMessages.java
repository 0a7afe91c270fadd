package io.consort.daemon.spread;

import static io.consort.daemon.spread.SpreadWire.NAME_BYTES;

import io.consort.core.MessageEvent;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import io.consort.core.ViewId;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes what a Spread client receives from the engine's events, as a Spread 4.4 daemon lays it
 * out (groups.c, message.c). Everything is little-endian with the marker set, except the hint of
 * a data message, which Spread keeps in the sender's order (see docs/SPREAD.md for why ours is the
 * daemon's).
 *
 * <p>Group ids. Spread's is {@code {proc_id, time, index}}; Consort's view id is
 * {@code (configurationId, sequence)}, the same at every member. The triple is
 * {@code {configurationId >>> 32, configurationId & 0xffffffff, sequence}} (low 32 bits), so
 * every member computes the same one, ids of one group differ view by view, and the id of a
 * transitional membership is that of the view that is ending, as in Spread.
 */
final class SpreadMessages {
    private SpreadMessages() {
    }

    /** The accept reply: ACCEPT_SESSION, version 4.4.0, the private group name. */
    static void accept(ByteBuf b, String privateGroup, boolean withPatch) {
        byte[] name = privateGroup.getBytes(StandardCharsets.ISO_8859_1);
        b.writeByte(SpreadWire.ACCEPT_SESSION);
        b.writeByte(SpreadWire.MAJOR);
        b.writeByte(SpreadWire.MINOR);
        if (withPatch) {
            b.writeByte(SpreadWire.PATCH);
        }
        b.writeByte(name.length);
        b.writeBytes(name);
    }

    /** A regular data message: the sender's service bit, its names and its bytes untouched. */
    static void data(ByteBuf b, MessageEvent m) {
        int type = SpreadWire.serviceBit(m.level());
        SpreadWire.writeHeader(b, type, m.sender(), m.groups().size(), (m.type() << 8) & 0x00ffff00,
                m.payload().length);
        for (String g : m.groups()) {
            SpreadWire.writeName(b, g);
        }
        b.writeBytes(m.payload());
    }

    /**
     * A reject of a message this daemon could not take: REJECT_MESS (and SELF_DISCARD if the
     * original had it), the names with the sender's own private group appended (over the last
     * when there were already 100), the old type before the names, the payload unchanged.
     */
    static void reject(ByteBuf b, String sender, int oldType, int rawHint, List<String> groups, byte[] payload) {
        int n = Math.min(groups.size() + 1, SpreadWire.MAX_GROUPS_PER_MESSAGE);
        SpreadWire.writeHeader(b, SpreadWire.REJECT_MESS | (oldType & SpreadWire.SELF_DISCARD), sender, n,
                rawHint & 0x00ffff00, payload.length);
        b.writeIntLE(oldType | SpreadWire.ENDIAN_MARK);
        for (int i = 0; i < n - 1; i++) {
            SpreadWire.writeName(b, groups.get(i));
        }
        SpreadWire.writeName(b, sender);
        b.writeBytes(payload);
    }

    /** A transitional membership: the id of the view that ends, no names. */
    static void transitional(ByteBuf b, TransitionalEvent t) {
        SpreadWire.writeHeader(b, SpreadWire.TRANSITION_MESS, t.group(), 0, 0, 12);
        writeGroupId(b, t.previous());
    }

    /** The receiver's own leave: CAUSED_BY_LEAVE alone, no names, no body. */
    static void selfLeave(ByteBuf b, String group) {
        SpreadWire.writeHeader(b, SpreadWire.CAUSED_BY_LEAVE, group, 0, 0, 0);
    }

    /**
     * A regular membership: the members as names, then the group id, the vs-sets and the offset of
     * the receiver's own vs-set (bytes from body offset 20). For JOIN, LEAVE and DISCONNECT the one
     * vs-set is the changed member, as Spread's lightweight memberships have it.
     */
    static void regular(ByteBuf b, ViewEvent v, String receiver) {
        List<List<String>> sets = v.vsSets();
        int setsBytes = 0;
        int myOffset = 0;
        boolean found = false;
        for (List<String> set : sets) {
            if (!found && v.cause() == ViewCause.NETWORK && set.contains(receiver)) {
                myOffset = setsBytes;
                found = true;
            }
            setsBytes += 4 + NAME_BYTES * set.size();
        }
        int dataLen = 12 + 4 + 4 + setsBytes;
        SpreadWire.writeHeader(b, SpreadWire.REG_MEMB_MESS | cause(v.cause()), v.group(), v.members().size(), 0,
                dataLen);
        for (String m : v.members()) {
            SpreadWire.writeName(b, m);
        }
        writeGroupId(b, v.id());
        b.writeIntLE(sets.size());
        b.writeIntLE(myOffset);
        for (List<String> set : sets) {
            b.writeIntLE(set.size());
            for (String m : set) {
                SpreadWire.writeName(b, m);
            }
        }
    }

    /** Room a regular membership of {@code v} takes. */
    static int regularBytes(ViewEvent v) {
        int n = SpreadWire.HEADER_BYTES + NAME_BYTES * v.members().size() + 20;
        for (List<String> set : v.vsSets()) {
            n += 4 + NAME_BYTES * set.size();
        }
        return n;
    }

    static int cause(ViewCause c) {
        return switch (c) {
            case JOIN -> SpreadWire.CAUSED_BY_JOIN;
            case LEAVE -> SpreadWire.CAUSED_BY_LEAVE;
            case DISCONNECT -> SpreadWire.CAUSED_BY_DISCONNECT;
            case NETWORK -> SpreadWire.CAUSED_BY_NETWORK;
        };
    }

    /** The group id triple of a view id (see the class comment). */
    static int[] groupId(ViewId id) {
        return new int[] {(int) (id.configurationId() >>> 32), (int) id.configurationId(), (int) id.sequence()};
    }

    private static void writeGroupId(ByteBuf b, ViewId id) {
        for (int i : groupId(id)) {
            b.writeIntLE(i);
        }
    }
}
