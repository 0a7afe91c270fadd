package io.consort.daemon.spread;

import static io.consort.daemon.spread.SpreadWire.NAME_BYTES;

import io.consort.core.MessageEvent;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import io.consort.core.ViewId;
import io.consort.core.ring.RingId;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Encodes what a Spread client receives from the engine's events, as a Spread 4.4 daemon lays it
 * out (groups.c, message.c). Everything is little-endian with the marker set, except the hint of
 * a data message or a reject, which Spread keeps in the sender's order.
 *
 * <p>Group ids. Spread's is {@code {memb_id.proc_id, memb_id.time, index}}: the daemon membership
 * the group's view is in, and the group's change count there (1 for its first view in that
 * membership, one more per join, leave or disconnect). Ours is the same from what every daemon
 * agrees on: {@code {representative, ring seq, index}} of the configuration (ring) the view was
 * installed in ({@link RingId}: the daemon that formed the ring, and the ring's sequence number,
 * which only grows, as Spread's form time does), and the group's {@link ViewEvent#index()}. A view
 * installed in a transitional configuration (a join in the old ring's remainder) has that
 * configuration's id, split in two halves. The id of a transitional membership is that of the
 * view that is ending, as in Spread.
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

    /**
     * A regular data message, as a Spread daemon passes it on: a Spread sender's type as it wrote it
     * (SELF_DISCARD and any other bits), its hint in its own byte order (so the receiver's library
     * reports {@code endian_mismatch} as Spread's would); a Consort sender's service bit, the hint
     * in this daemon's order. Then the names and the bytes untouched.
     */
    static void data(ByteBuf b, MessageEvent m) {
        int origin = m.originBits();
        int type = origin != 0 ? origin & ~SpreadWire.ENDIAN_MARK : SpreadWire.serviceBit(m.level());
        b.writeIntLE(type | SpreadWire.ENDIAN_MARK);
        SpreadWire.writeName(b, m.sender());
        b.writeIntLE(m.groups().size());
        SpreadWire.writeSenderHint(b, (m.type() << 8) & 0x00ffff00, (origin & SpreadWire.ORIGIN_BIG_ENDIAN) != 0);
        b.writeIntLE(m.payload().length);
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
        b.writeIntLE(SpreadWire.REJECT_MESS | (oldType & SpreadWire.SELF_DISCARD) | SpreadWire.ENDIAN_MARK);
        SpreadWire.writeName(b, sender);
        b.writeIntLE(n);
        b.writeIntLE(rawHint); // the original's, in the sender's order, as Spread keeps it
        b.writeIntLE(payload.length);
        b.writeIntLE(oldType | SpreadWire.ENDIAN_MARK);
        for (int i = 0; i < n - 1; i++) {
            SpreadWire.writeName(b, groups.get(i));
        }
        SpreadWire.writeName(b, sender);
        b.writeBytes(payload);
    }

    /** A transitional membership: the id of the view that ends, no names. */
    static void transitional(ByteBuf b, TransitionalEvent t) {
        transitional(b, t.group(), t.previous(), t.previousIndex());
    }

    private static void transitional(ByteBuf b, String group, ViewId previous, int previousIndex) {
        SpreadWire.writeHeader(b, SpreadWire.TRANSITION_MESS, group, 0, 0, 12);
        writeGroupId(b, previous, previousIndex);
    }

    /**
     * Whether {@code v} is a join, leave or disconnect delivered in the old ring's remainder, during a
     * configuration change (its configuration is a transitional one: {@link RingId#transitionalId}
     * has the sign bit, ring ids do not). A Spread daemon in that state (GTRANS) does not send
     * the lightweight membership but a NETWORK one and then a transitional one (groups.c,
     * {@code G_handle_join}, {@code G_handle_leave}, {@code G_handle_kill}).
     */
    static boolean inConfigurationChange(ViewEvent v) {
        return v.cause() != ViewCause.NETWORK && !v.selfLeave() && v.id().configurationId() < 0;
    }

    /**
     * What a Spread daemon sends for {@code v} during a configuration change
     * ({@code G_send_heavyweight_join}): a NETWORK membership whose vs-sets are the members of the
     * daemons that go through the change ({@code staying}, Spread's established daemons), then the
     * members of each daemon that is leaving in a set of its own, in configuration order (Spread's
     * partitioned daemons), then for a join the joiner alone, last (the joiner's own copy points
     * its offset at that set); then, to everyone but the joiner (whom the engine tells itself), a
     * transitional membership with the id of that view. {@code staying} null (not known): all that
     * were there in one set.
     */
    static void duringConfigurationChange(ByteBuf b, ViewEvent v, String receiver, SpreadMemberOrder order,
            @Nullable Set<String> staying) {
        List<String> joiners = v.cause() == ViewCause.JOIN ? v.changed() : List.of();
        List<String> there = new ArrayList<>(order.sort(v.members()));
        there.removeAll(joiners);
        List<List<String>> sets = new ArrayList<>();
        List<String> established = new ArrayList<>();
        Map<String, List<String>> leaving = new LinkedHashMap<>();
        for (String m : there) {
            String daemon = SpreadMemberOrder.daemonOf(m);
            if (staying == null || staying.contains(daemon)) {
                established.add(m);
            } else {
                leaving.computeIfAbsent(daemon, d -> new ArrayList<>()).add(m);
            }
        }
        if (!established.isEmpty()) {
            sets.add(established);
        }
        sets.addAll(leaving.values()); // members in Spread's order, so their daemons come in configuration order
        for (String j : joiners) {
            sets.add(List.of(j));
        }
        regular(b, v.cause() == ViewCause.NETWORK ? v : new ViewEvent(v.group(), v.id(), ViewCause.NETWORK,
                v.members(), List.of(), List.of(), false, sets, v.index()), receiver, order, false);
        if (!joiners.contains(receiver)) {
            transitional(b, v.group(), v.id(), v.index());
        }
    }

    /** The receiver's own leave: CAUSED_BY_LEAVE alone, no names, no body. */
    static void selfLeave(ByteBuf b, String group) {
        SpreadWire.writeHeader(b, SpreadWire.CAUSED_BY_LEAVE, group, 0, 0, 0);
    }

    /**
     * A regular membership: the members as names, in Spread's order, then the group id, the vs-sets and the offset of
     * the receiver's own vs-set (bytes from body offset 20). For JOIN, LEAVE and DISCONNECT the one
     * vs-set is the changed member, as Spread's lightweight memberships have it.
     */
    static void regular(ByteBuf b, ViewEvent v, String receiver, SpreadMemberOrder order) {
        regular(b, v, receiver, order, true);
    }

    private static void regular(ByteBuf b, ViewEvent v, String receiver, SpreadMemberOrder order, boolean sortSets) {
        List<String> members = order.sort(v.members());
        // Each vs-set in the order of the member list, the sets by their first member: the same at every member.
        List<List<String>> sets = new ArrayList<>();
        for (List<String> set : v.vsSets()) {
            sets.add(order.sort(set));
        }
        if (sortSets) {
            sets.sort((x, y) -> x.isEmpty() || y.isEmpty() ? Boolean.compare(x.isEmpty(), y.isEmpty())
                    : order.compare(x.get(0), y.get(0)));
        }
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
        SpreadWire.writeHeader(b, SpreadWire.REG_MEMB_MESS | cause(v.cause()), v.group(), members.size(), 0,
                dataLen);
        for (String m : members) {
            SpreadWire.writeName(b, m);
        }
        writeGroupId(b, v.id(), v.index());
        b.writeIntLE(sets.size());
        b.writeIntLE(myOffset);
        for (List<String> set : sets) {
            b.writeIntLE(set.size());
            for (String m : set) {
                SpreadWire.writeName(b, m);
            }
        }
    }

    /** Room a regular membership of {@code v} takes (and a transitional one after it). */
    static int regularBytes(ViewEvent v) {
        int n = SpreadWire.HEADER_BYTES + NAME_BYTES * v.members().size() + 20;
        for (List<String> set : v.vsSets()) {
            n += 4 + NAME_BYTES * set.size();
        }
        return n + 4 * v.members().size() + SpreadWire.HEADER_BYTES + 12;
    }

    static int cause(ViewCause c) {
        return switch (c) {
            case JOIN -> SpreadWire.CAUSED_BY_JOIN;
            case LEAVE -> SpreadWire.CAUSED_BY_LEAVE;
            case DISCONNECT -> SpreadWire.CAUSED_BY_DISCONNECT;
            case NETWORK -> SpreadWire.CAUSED_BY_NETWORK;
        };
    }

    /** The group id triple of view {@code id}, {@code index} in its configuration (see the class comment). */
    static int[] groupId(ViewId id, int index) {
        long c = id.configurationId();
        // An index of 0 (a view the engine did not count) falls back on the agreed sequence number, unique too.
        int third = index > 0 ? index : (int) id.sequence();
        if (RingId.valid(c)) {
            return new int[] {RingId.representativeOf(c), (int) RingId.seqOf(c), third};
        }
        return new int[] {(int) (c >>> 32), (int) c, third};
    }

    private static void writeGroupId(ByteBuf b, ViewId id, int index) {
        for (int i : groupId(id, index)) {
            b.writeIntLE(i);
        }
    }
}
