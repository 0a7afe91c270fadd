package io.consort.protocol;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields of one frame body and checks, before each read, that the bytes are there.
 * Every shortfall is a {@link ErrorCode#MALFORMED_FRAME}, never an index exception.
 */
public final class FrameReader {
    private final ByteBuf buf;
    private final int type;

    /** A reader over a frame (type byte first, length prefix already stripped). */
    public FrameReader(ByteBuf frame) {
        this.buf = frame;
        need(1, "frame type");
        this.type = buf.readUnsignedByte();
    }

    /** The frame type. */
    public int type() {
        return type;
    }

    private void need(int bytes, String field) {
        if (buf.readableBytes() < bytes) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, "frame 0x" + Integer.toHexString(type)
                    + " is truncated: " + field + " needs " + bytes + " bytes, " + buf.readableBytes() + " left");
        }
    }

    public int u8(String field) {
        need(1, field);
        return buf.readUnsignedByte();
    }

    public int u16(String field) {
        need(2, field);
        return buf.readUnsignedShort();
    }

    public int i32(String field) {
        need(4, field);
        return buf.readInt();
    }

    public long i64(String field) {
        need(8, field);
        return buf.readLong();
    }

    /** A string: u16 length, then that many UTF-8 bytes. */
    public String str(String field) {
        int len = u16(field + " length");
        need(len, field);
        String s = buf.toString(buf.readerIndex(), len, StandardCharsets.UTF_8);
        buf.skipBytes(len);
        return s;
    }

    /** A list of strings: u16 count, then the strings. */
    public List<String> strs(String field) {
        int n = u16(field + " count");
        // Each string needs at least its 2-byte length: refuse counts the frame cannot hold before allocating.
        need(2 * n, field);
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(str(field));
        }
        return list;
    }

    /** Bytes: u32 length, then the bytes, copied out of the frame. */
    public byte[] bytes(String field) {
        int len = i32(field + " length");
        if (len < 0) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, field + " length " + len + " is negative");
        }
        need(len, field);
        byte[] b = new byte[len];
        buf.readBytes(b);
        return b;
    }

    /** Checks that the frame had nothing after its last field. */
    public void end() {
        if (buf.isReadable()) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, "frame 0x" + Integer.toHexString(type)
                    + " has " + buf.readableBytes() + " bytes after its last field");
        }
    }
}
