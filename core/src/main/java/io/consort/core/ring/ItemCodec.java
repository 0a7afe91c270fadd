package io.consort.core.ring;

import io.consort.core.ServiceLevel;
import io.consort.core.ViewId;
import io.consort.core.wire.NameCache;
import io.consort.core.wire.WireException;
import io.consort.core.wire.WireReader;
import io.consort.core.wire.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The codec of agreed items, the body of a ring message.
 *
 * <pre>
 * tag u8: 1 Data, 2 Join, 3 Leave, 4 Disconnect, 5 GroupState, 6 Fragment
 * str  = u16 byte length, UTF-8 bytes
 *
 * Data:       session str | group count u16 | groups str... | level u8 | type u16 | flags u8
 *             | [origin bits i32, if flags has 2] | payload length i32 | payload
 *             flags: 1 self discard, 2 origin bits follow (a Consort client's item is as before: 0 or 1)
 * Join/Leave: session str | group str
 * Disconnect: session str | clean u8
 * GroupState: daemon id u16 | configuration id i64 | lineage i64 | entry count i32
 *             | entries: group str | view configuration i64 | view seq i64 | member count i32 | members str...
 * Fragment:   session str | message id i64 | index i32 | count i32 | safe u8 | chunk length i32 | chunk
 * </pre>
 */
public final class ItemCodec {
    private static final int DATA = 1;
    private static final int JOIN = 2;
    private static final int LEAVE = 3;
    private static final int DISCONNECT = 4;
    private static final int GROUP_STATE = 5;
    private static final int FRAGMENT = 6;
    private static final int FLAG_SELF_DISCARD = 1;
    private static final int FLAG_ORIGIN_BITS = 2;

    /** The most bytes a {@link AgreedItem.Fragment}'s encoding adds to its chunk (session name of up to 54 bytes). */
    public static final int FRAGMENT_OVERHEAD_BYTES = 1 + 2 + 54 + 8 + 4 + 4 + 1 + 4;

    /** Session and group names of decoded items: the same few repeat on every message. */
    private static final NameCache NAMES = new NameCache();

    private ItemCodec() {
    }

    /** The item as bytes. */
    public static byte[] encode(AgreedItem item) {
        // A data item (every message) is sized exactly, so the writer's array is the result: no growth, no copy.
        WireWriter w = new WireWriter(item instanceof AgreedItem.Data d ? dataBytes(d) : 64);
        if (item instanceof AgreedItem.Data d) {
            w.u8(DATA).string(d.session()).u16(d.groups().size());
            for (String g : d.groups()) {
                w.string(g);
            }
            w.u8(d.level().code()).u16(d.type());
            if (d.originBits() == 0) {
                w.bool(d.selfDiscard());
            } else {
                w.u8((d.selfDiscard() ? FLAG_SELF_DISCARD : 0) | FLAG_ORIGIN_BITS).i32(d.originBits());
            }
            w.i32(d.payload().length).bytes(d.payload());
        } else if (item instanceof AgreedItem.Join j) {
            w.u8(JOIN).string(j.session()).string(j.group());
        } else if (item instanceof AgreedItem.Leave l) {
            w.u8(LEAVE).string(l.session()).string(l.group());
        } else if (item instanceof AgreedItem.Disconnect d) {
            w.u8(DISCONNECT).string(d.session()).bool(d.clean());
        } else if (item instanceof AgreedItem.Fragment f) {
            w.u8(FRAGMENT).string(f.session()).i64(f.messageId()).i32(f.index()).i32(f.count()).bool(f.safe())
                    .i32(f.chunk().length).bytes(f.chunk());
        } else {
            AgreedItem.GroupState s = (AgreedItem.GroupState) item;
            w.u8(GROUP_STATE).u16(s.daemonId()).i64(s.configurationId()).i64(s.lineage()).i32(s.groups().size());
            for (AgreedItem.GroupState.Entry e : s.groups()) {
                w.string(e.group()).i64(e.viewId().configurationId()).i64(e.viewId().sequence()).i32(e.members().size());
                for (String m : e.members()) {
                    w.string(m);
                }
            }
        }
        return w.toBytes();
    }

    /** The encoded length of a data item. */
    private static int dataBytes(AgreedItem.Data d) {
        int n = 1 + 2 + WireWriter.utf8Length(d.session()) + 2;
        for (String g : d.groups()) {
            n += 2 + WireWriter.utf8Length(g);
        }
        return n + 1 + 2 + 1 + (d.originBits() == 0 ? 0 : 4) + 4 + d.payload().length;
    }

    /**
     * Decodes an item.
     *
     * @throws WireException if the bytes are not exactly one well-formed item
     */
    public static AgreedItem decode(byte[] bytes) {
        WireReader r = new WireReader(bytes);
        int tag = r.u8();
        AgreedItem item = switch (tag) {
            case DATA -> {
                String session = r.string(NAMES);
                int n = r.count16(2);
                List<String> groups;
                if (n == 1) {
                    groups = r.singleString(NAMES);
                } else {
                    groups = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        groups.add(r.string(NAMES));
                    }
                }
                int level = r.u8();
                if (level > ServiceLevel.SAFE.code()) {
                    throw new WireException("unknown service level " + level);
                }
                int type = r.u16();
                int flags = r.u8();
                if ((flags & ~(FLAG_SELF_DISCARD | FLAG_ORIGIN_BITS)) != 0) {
                    throw new WireException("unknown data flags " + flags);
                }
                int originBits = (flags & FLAG_ORIGIN_BITS) != 0 ? r.i32() : 0;
                if ((flags & FLAG_ORIGIN_BITS) != 0 && originBits == 0) {
                    throw new WireException("origin bits flagged but 0");
                }
                byte[] payload = r.bytes(r.count32(1));
                yield new AgreedItem.Data(session, groups, ServiceLevel.fromCode(level), type,
                        (flags & FLAG_SELF_DISCARD) != 0, payload, originBits);
            }
            case JOIN -> new AgreedItem.Join(r.string(), r.string());
            case LEAVE -> new AgreedItem.Leave(r.string(), r.string());
            case DISCONNECT -> new AgreedItem.Disconnect(r.string(), r.bool());
            case FRAGMENT -> {
                String session = r.string();
                long id = r.i64();
                int index = r.i32();
                int count = r.i32();
                if (count < 2 || index < 0 || index >= count) {
                    throw new WireException("fragment " + index + " of " + count);
                }
                boolean safe = r.bool();
                yield new AgreedItem.Fragment(session, id, index, count, safe, r.bytes(r.count32(1)));
            }
            case GROUP_STATE -> {
                int daemon = r.u16();
                long conf = r.i64();
                long lineage = r.i64();
                int n = r.count32(2 + 8 + 8 + 4);
                List<AgreedItem.GroupState.Entry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String group = r.string();
                    ViewId id = new ViewId(r.i64(), r.i64());
                    int m = r.count32(2);
                    List<String> members = new ArrayList<>(m);
                    for (int k = 0; k < m; k++) {
                        members.add(r.string());
                    }
                    entries.add(new AgreedItem.GroupState.Entry(group, id, members));
                }
                yield new AgreedItem.GroupState(daemon, conf, lineage, entries);
            }
            default -> throw new WireException("unknown item tag " + tag);
        };
        r.end();
        return item;
    }
}
