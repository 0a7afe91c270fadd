package io.consort.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte writer. */
public final class WireWriter {
    private byte[] buf;
    private int len;

    /** A writer with room for {@code initialCapacity} bytes before it grows. */
    public WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    public WireWriter u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public WireWriter u16(int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException("not a u16: " + v);
        }
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public WireWriter i32(int v) {
        ensure(4);
        for (int s = 24; s >= 0; s -= 8) {
            buf[len++] = (byte) (v >>> s);
        }
        return this;
    }

    public WireWriter i64(long v) {
        ensure(8);
        for (int s = 56; s >= 0; s -= 8) {
            buf[len++] = (byte) (v >>> s);
        }
        return this;
    }

    public WireWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public WireWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** A string: u16 byte length, then UTF-8. */
    public WireWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u16(b.length);
        return bytes(b);
    }

    /**
     * The bytes written. A writer sized exactly ({@link #WireWriter(int)} with the final length)
     * hands over its own array instead of a copy: on the ring's hot path every message is encoded
     * twice (item, then packet) and the copies were a fifth of the daemon's allocation. That is safe
     * because the array is then full: any later write grows into a new array first.
     */
    public byte[] toBytes() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    /** The UTF-8 length of {@code s}, to size a writer exactly before writing it with {@link #string}. */
    public static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                n += c < 0x800 || Character.isSurrogate(c) ? 1 : 2; // a surrogate pair is 4 bytes for 2 chars
            }
        }
        return n;
    }
}
