package io.consort.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A small direct-mapped cache of decoded names (session and group names repeat on every message
 * of a flood), so that decoding one does not build a new {@code String} and a one-element list
 * each time. Entries are immutable and slots are replaced whole, so racing threads (several
 * engines in one JVM) see either an old or a new entry, never a torn one; a miss just decodes.
 */
public final class NameCache {
    private static final int SLOTS = 1024; // power of two
    private static final int MAX_NAME_BYTES = 128;
    /** The bytes of an entry too long to cache, which is never looked up. */
    private static final byte[] NOT_CACHED = new byte[0];

    private record Entry(byte[] bytes, String name, List<String> single) {
    }

    private final Entry[] slots = new Entry[SLOTS];

    /** The name whose UTF-8 bytes are {@code b[off .. off+len)}. */
    String get(byte[] b, int off, int len) {
        return entry(b, off, len).name;
    }

    /** {@code List.of(name)} for the name at {@code b[off .. off+len)}. */
    List<String> single(byte[] b, int off, int len) {
        return entry(b, off, len).single;
    }

    private Entry entry(byte[] b, int off, int len) {
        if (len > MAX_NAME_BYTES) {
            String s = new String(b, off, len, StandardCharsets.UTF_8);
            return new Entry(NOT_CACHED, s, List.of(s));
        }
        int h = len;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[off + i];
        }
        h ^= h >>> 16;
        int slot = h & (SLOTS - 1);
        Entry e = slots[slot];
        if (e != null && Arrays.equals(e.bytes, 0, e.bytes.length, b, off, off + len)) {
            return e;
        }
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        e = new Entry(Arrays.copyOfRange(b, off, off + len), s, List.of(s));
        slots[slot] = e;
        return e;
    }
}
