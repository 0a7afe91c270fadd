package io.consort.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.consort.core.ServiceLevel;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.ItemCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact-size hand-over of {@link WireWriter} and the data item's exact encoded length. */
class WireWriterTest {
    @Test
    void utf8LengthIsWhatStringEncodingProduces() {
        for (String s : List.of("", "bench", "#b1#d1", "grüße", "日本語", "a\uD83D\uDE00b", "\u07FF\u0800")) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, WireWriter.utf8Length(s), s);
        }
    }

    @Test
    void anExactlyFullWriterHandsOverItsArrayAndLaterWritesDoNotTouchIt() {
        WireWriter w = new WireWriter(20);
        w.i64(1).i64(2).i32(3);
        byte[] out = w.toBytes();
        assertSame(out, w.toBytes(), "no copy when full");
        byte[] before = out.clone();
        w.u8(9);
        assertArrayEquals(before, out, "a write after toBytes grows into a new array");
        assertNotSame(out, w.toBytes());
        assertEquals(21, w.toBytes().length);
    }

    @Test
    void aDataItemEncodesToExactlyItsLengthAndRoundTrips() {
        AgreedItem.Data d = new AgreedItem.Data("#b0#d1", List.of("bench", "grüße"), ServiceLevel.SAFE, 7, true,
                new byte[1000]);
        byte[] payload = d.payload();
        payload[0] = 1;
        payload[999] = 2;
        AgreedItem.Data back = (AgreedItem.Data) ItemCodec.decode(ItemCodec.encode(d));
        assertEquals(d.session(), back.session());
        assertEquals(d.groups(), back.groups());
        assertEquals(d.level(), back.level());
        assertEquals(d.type(), back.type());
        assertEquals(d.selfDiscard(), back.selfDiscard());
        assertArrayEquals(payload, back.payload());
    }
}
