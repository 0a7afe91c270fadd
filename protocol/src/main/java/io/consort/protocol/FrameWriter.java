package io.consort.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/**
 * Writes frames into a buffer: the length prefix, the type byte, then the fields, big-endian.
 * Call {@link #begin}, the field writers, then {@link #end}.
 */
public final class FrameWriter {
    private final ByteBuf buf;
    private int lengthIndex = -1;

    /** A writer appending to {@code buf}. */
    public FrameWriter(ByteBuf buf) {
        this.buf = buf;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public FrameWriter begin(int type) {
        lengthIndex = buf.writerIndex();
        buf.writeInt(0);
        buf.writeByte(type);
        return this;
    }

    public FrameWriter u8(int v) {
        buf.writeByte(v);
        return this;
    }

    public FrameWriter u16(int v) {
        buf.writeShort(v);
        return this;
    }

    public FrameWriter i32(int v) {
        buf.writeInt(v);
        return this;
    }

    public FrameWriter i64(long v) {
        buf.writeLong(v);
        return this;
    }

    /** A string: u16 byte length, then UTF-8 bytes. */
    public FrameWriter str(String s) {
        int len = ByteBufUtil.utf8Bytes(s);
        if (len > 0xFFFF) {
            throw new IllegalArgumentException("string of " + len + " bytes does not fit a frame field");
        }
        buf.writeShort(len);
        ByteBufUtil.writeUtf8(buf, s);
        return this;
    }

    /** A u16 count, then the strings. */
    public FrameWriter strs(List<String> list) {
        buf.writeShort(list.size());
        for (String s : list) {
            str(s);
        }
        return this;
    }

    /** A u32 length, then the bytes. */
    public FrameWriter bytes(byte[] b) {
        buf.writeInt(b.length);
        buf.writeBytes(b);
        return this;
    }

    /** Fills in the length prefix of the frame begun last. */
    public FrameWriter end() {
        buf.setInt(lengthIndex, buf.writerIndex() - lengthIndex - FrameType.LENGTH_BYTES);
        lengthIndex = -1;
        return this;
    }
}
