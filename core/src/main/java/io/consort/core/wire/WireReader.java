package io.consort.core.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked big-endian reads. Every read checks what is left first, and every count is
 * checked against what is left before anything is allocated for it, so a hostile length can
 * neither throw an unchecked buffer exception nor make the daemon allocate gigabytes.
 */
public final class WireReader {
    private final ByteBuffer buf;

    /** Reads {@code bytes} from its first to its last byte. */
    public WireReader(byte[] bytes) {
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    }

    /** Bytes not yet read. */
    public int remaining() {
        return buf.remaining();
    }

    private void need(int n) {
        if (n < 0 || buf.remaining() < n) {
            throw new WireException("truncated: need " + n + " bytes, " + buf.remaining() + " left");
        }
    }

    public int u8() {
        need(1);
        return buf.get() & 0xFF;
    }

    public int u16() {
        need(2);
        return buf.getShort() & 0xFFFF;
    }

    public int i32() {
        need(4);
        return buf.getInt();
    }

    public long i64() {
        need(8);
        return buf.getLong();
    }

    public boolean bool() {
        int b = u8();
        if (b > 1) {
            throw new WireException("boolean byte is " + b);
        }
        return b == 1;
    }

    /** A count of items that each take at least {@code minItemBytes}; checked against what is left. */
    public int count16(int minItemBytes) {
        int n = u16();
        need(n * minItemBytes);
        return n;
    }

    /** A 32-bit count of items that each take at least {@code minItemBytes}; checked against what is left. */
    public int count32(int minItemBytes) {
        int n = i32();
        if (n < 0) {
            throw new WireException("negative count " + n);
        }
        need((int) Math.min(Integer.MAX_VALUE, (long) n * Math.max(1, minItemBytes)));
        return n;
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    /** A string: u16 byte length, then UTF-8. */
    public String string() {
        int n = u16();
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    /** A string as {@link #string()}, through {@code cache}. */
    public String string(NameCache cache) {
        int n = u16();
        need(n);
        int at = buf.arrayOffset() + buf.position();
        String s = cache.get(buf.array(), at, n);
        buf.position(buf.position() + n);
        return s;
    }

    /** {@code List.of(string(cache))} without a new list for a cached name. */
    public java.util.List<String> singleString(NameCache cache) {
        int n = u16();
        need(n);
        int at = buf.arrayOffset() + buf.position();
        java.util.List<String> l = cache.single(buf.array(), at, n);
        buf.position(buf.position() + n);
        return l;
    }

    /** Fails unless every byte was read: trailing garbage means the sender and we disagree on the layout. */
    public void end() {
        if (buf.hasRemaining()) {
            throw new WireException(buf.remaining() + " trailing bytes");
        }
    }
}
