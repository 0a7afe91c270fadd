package io.consort.daemon.spread;

import io.consort.core.ServiceLevel;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The constants and field codecs of Spread 4.4's client protocol (the 48-byte message header,
 * 32-byte names, the endianness marker). Layout of the header, every field in the writer's order:
 *
 * <pre>
 *  0  int32  type         service or control flags | endianness marker 0x80000080 (little-endian writer)
 *  4  char[32] name       C to D: the sender's private group; D to C: sender, or the group of a membership
 * 36  int32  num_groups   32-byte names that follow the header
 * 40  int32  hint         marker | mess_type (int16) in bits 8..23
 * 44  int32  data_len     body bytes after the names (a reject has 4 more, its old type, first)
 * </pre>
 *
 * This daemon writes little-endian, as a Spread daemon on x86 does.
 */
final class SpreadWire {
    private SpreadWire() {
    }

    static final int HEADER_BYTES = 48;
    static final int NAME_BYTES = 32;
    static final int ENDIAN_MARK = 0x80000080;

    static final int UNRELIABLE_MESS = 0x1;
    static final int RELIABLE_MESS = 0x2;
    static final int FIFO_MESS = 0x4;
    static final int CAUSAL_MESS = 0x8;
    static final int AGREED_MESS = 0x10;
    static final int SAFE_MESS = 0x20;
    static final int REGULAR_MESS = 0x3f;
    static final int SELF_DISCARD = 0x40;
    static final int CAUSED_BY_JOIN = 0x100;
    static final int CAUSED_BY_LEAVE = 0x200;
    static final int CAUSED_BY_DISCONNECT = 0x400;
    static final int CAUSED_BY_NETWORK = 0x800;
    static final int REG_MEMB_MESS = 0x1000;
    static final int TRANSITION_MESS = 0x2000;
    static final int JOIN_MESS = 0x10000;
    static final int LEAVE_MESS = 0x20000;
    static final int KILL_MESS = 0x40000;
    static final int REJECT_MESS = 0x400000;

    static final byte ACCEPT_SESSION = 1;
    static final byte REJECT_QUOTA = -3;
    static final byte REJECT_ILLEGAL_NAME = -5;
    static final byte REJECT_NOT_UNIQUE = -6;
    static final byte REJECT_VERSION = -7;
    static final byte REJECT_AUTH = -9;

    /** The version this daemon reports: 4.4.0, the library it is written against. */
    static final int MAJOR = 4;
    static final int MINOR = 4;
    static final int PATCH = 0;

    static final int MAX_PRIVATE_NAME = 10;
    static final int MAX_PROC_NAME = 19;
    static final int MAX_GROUP_NAME = 31;
    static final int MAX_GROUPS_PER_MESSAGE = 100;
    /** The library's check, {@code data_len + 32 x num_groups}. */
    static final int MAX_MESSAGE_BODY = 144_000;
    /** The 4.4.0 daemon's check, the same less a header. */
    static final int MAX_BODY_AND_NAMES = MAX_MESSAGE_BODY - HEADER_BYTES;
    /** Auth method slots the library sends: 3 x 30 bytes. */
    static final int AUTH_CHOICE_BYTES = 90;
    static final int AUTH_NAME_BYTES = 30;

    /** Whether a 32-bit field written with this marker came from a little-endian writer. */
    static boolean littleEndian(int rawLittleEndian) {
        return (rawLittleEndian & ENDIAN_MARK) == ENDIAN_MARK;
    }

    /** Reads a 32-bit field at {@code index} in the writer's order. */
    static int field(ByteBuf b, int index, boolean littleEndian) {
        return littleEndian ? b.getIntLE(index) : b.getInt(index);
    }

    /** A 32-byte name field as a C string: up to the first NUL, whatever follows it. */
    static String name(ByteBuf b, int index) {
        int end = index;
        while (end < index + NAME_BYTES && b.getByte(end) != 0) {
            end++;
        }
        return b.toString(index, end - index, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code s} as a zero-padded 32-byte name (cut to 31 bytes, so a NUL always ends it). */
    static void writeName(ByteBuf b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(bytes.length, NAME_BYTES - 1);
        b.writeBytes(bytes, 0, n);
        b.writeZero(NAME_BYTES - n);
    }

    /** Writes a header in this daemon's order, the marker set on {@code type} and {@code hint}. */
    static void writeHeader(ByteBuf b, int type, String name, int numGroups, int hint, int dataLen) {
        b.writeIntLE(type | ENDIAN_MARK);
        writeName(b, name);
        b.writeIntLE(numGroups);
        b.writeIntLE(hint | ENDIAN_MARK);
        b.writeIntLE(dataLen);
    }

    /** In {@link io.consort.core.MessageEvent#originBits()}: the sender wrote its hint big-endian. */
    static final int ORIGIN_BIG_ENDIAN = 0x80;

    /**
     * What a Spread client's message carries to its receivers unchanged: its type as written
     * (marker cleared, so never 0: it has a service bit), and {@link #ORIGIN_BIG_ENDIAN} (a
     * marker bit, free) when its hint came big-endian, so receivers learn the sender's byte order.
     */
    static int originBits(int typeWithoutMarker, int rawHintLittleEndian) {
        return (typeWithoutMarker & ~ENDIAN_MARK) | (littleEndian(rawHintLittleEndian) ? 0 : ORIGIN_BIG_ENDIAN);
    }

    /**
     * Writes the hint of a data message in its sender's byte order, as a Spread daemon keeps it: a
     * little-endian one with the marker, a big-endian one without (a big-endian writer's marker is 0).
     */
    static void writeSenderHint(ByteBuf b, int hint, boolean bigEndian) {
        if (bigEndian) {
            b.writeInt(hint & ~ENDIAN_MARK);
        } else {
            b.writeIntLE(hint | ENDIAN_MARK);
        }
    }

    /** Whether every character is one Spread allows in a name: '$' (36) to '~' (126). */
    static boolean legalName(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= '#' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** The service level of a Spread service type, which has exactly one of the six bits. */
    static ServiceLevel level(int serviceType) {
        int t = serviceType & REGULAR_MESS;
        if ((t & SAFE_MESS) != 0) {
            return ServiceLevel.SAFE;
        } else if ((t & AGREED_MESS) != 0) {
            return ServiceLevel.AGREED;
        } else if ((t & CAUSAL_MESS) != 0) {
            return ServiceLevel.CAUSAL;
        } else if ((t & FIFO_MESS) != 0) {
            return ServiceLevel.FIFO;
        } else if ((t & RELIABLE_MESS) != 0) {
            return ServiceLevel.RELIABLE;
        }
        return ServiceLevel.UNRELIABLE;
    }

    /** The Spread service bit of a level. */
    static int serviceBit(ServiceLevel level) {
        return switch (level) {
            case UNRELIABLE -> UNRELIABLE_MESS;
            case RELIABLE -> RELIABLE_MESS;
            case FIFO -> FIFO_MESS;
            case CAUSAL -> CAUSAL_MESS;
            case AGREED -> AGREED_MESS;
            case SAFE -> SAFE_MESS;
        };
    }
}
