package io.consort.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.ItemCodec;

/**
 * Fuzz targets for every daemon packet decoder. The invariant: a decoder either returns a packet
 * or throws {@link WireException}; nothing else escapes (an index, a negative size, an
 * {@code OutOfMemoryError} from a length it trusted), and whatever decodes encodes again to bytes
 * that decode to the same encoding (no field is read one way and written another).
 *
 * <p>{@code mvn test} runs each target over its corpus in
 * {@code src/test/resources/io/consort/core/wire/WireFuzzTestInputs/<target>/} (the regression
 * run); {@code JAZZER_FUZZ=1} fuzzes (see docs/SECURITY.md for the command).
 */
class WireFuzzTest {
    /** A datagram of {@code type} from daemon 1 whose body is {@code body}. */
    private static byte[] typed(int type, byte[] body) {
        byte[] d = new byte[Header.BYTES + body.length];
        d[0] = (byte) 0xC0;
        d[1] = 0x5E;
        d[2] = Header.VERSION;
        d[3] = (byte) type;
        d[4] = 0;
        d[5] = 1;
        System.arraycopy(body, 0, d, Header.BYTES, body.length);
        return d;
    }

    private static void decode(byte[] datagram) {
        Packet p;
        try {
            p = Packet.decode(datagram);
        } catch (WireException e) {
            return;
        }
        byte[] again = p.encode();
        assertThat(Packet.decode(again).encode()).as("re-encoding is stable").isEqualTo(again);
    }

    @FuzzTest(maxDuration = "45s")
    void packet(byte[] datagram) {
        decode(datagram);
    }

    @FuzzTest(maxDuration = "45s")
    void token(byte[] body) {
        decode(typed(Header.TYPE_TOKEN, body));
    }

    @FuzzTest(maxDuration = "45s")
    void message(byte[] body) {
        decode(typed(Header.TYPE_MESSAGE, body));
    }

    @FuzzTest(maxDuration = "45s")
    void join(byte[] body) {
        decode(typed(Header.TYPE_JOIN, body));
    }

    @FuzzTest(maxDuration = "45s")
    void commit(byte[] body) {
        decode(typed(Header.TYPE_COMMIT, body));
    }

    @FuzzTest(maxDuration = "45s")
    void beacon(byte[] body) {
        decode(typed(Header.TYPE_BEACON, body));
    }

    @FuzzTest(maxDuration = "45s")
    void leave(byte[] body) {
        decode(typed(Header.TYPE_LEAVE, body));
    }

    @FuzzTest(maxDuration = "45s")
    void item(byte[] bytes) {
        AgreedItem item;
        try {
            item = ItemCodec.decode(bytes);
        } catch (WireException e) {
            return;
        }
        byte[] again = ItemCodec.encode(item);
        assertThat(ItemCodec.encode(ItemCodec.decode(again))).as("re-encoding is stable").isEqualTo(again);
    }
}
