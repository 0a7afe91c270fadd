package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.consort.core.Engine;
import io.consort.core.EngineConfig;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fuzzes the daemon's side of the session protocol: a client's byte stream, through the frame
 * decoder the daemon installs and its {@link SessionConnection}, into a running engine loop. The
 * invariant: every bad frame is one of the protocol's typed errors (MALFORMED_FRAME,
 * PROTOCOL_VIOLATION, ...) to that client, never an unexpected exception ("could not process input"),
 * and the engine loop keeps serving. Half the inputs start with a valid HELLO, so the fuzzer works
 * past the handshake as well as on it.
 */
class SessionFrameFuzzTest {
    private static final EngineConfig CONFIG = EngineConfig.defaults().withMaxMessageBytes(64 * 1024);
    private static final EngineLoop LOOP = start();
    private static final AtomicLong IDS = new AtomicLong();

    private static EngineLoop start() {
        EngineLoop loop = new EngineLoop(new Engine(CONFIG), outputs -> { }, "fuzz-engine");
        loop.start();
        return loop;
    }

    @FuzzTest(maxDuration = "45s")
    void clientBytes(byte[] data) throws InterruptedException {
        int maxFrame = CONFIG.maxMessageBytes() + FrameType.HEADER_ALLOWANCE_BYTES;
        EmbeddedChannel ch = new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(maxFrame, 0, FrameType.LENGTH_BYTES, 0, FrameType.LENGTH_BYTES),
                new SessionConnection(IDS.incrementAndGet(), LOOP, () -> { }));
        ByteBuf in = Unpooled.buffer();
        if (data.length > 0 && (data[0] & 1) == 1) {
            FrameWriter w = new FrameWriter(in);
            ClientFrames.hello(w, "fuzz");
        }
        in.writeBytes(data, Math.min(1, data.length), Math.max(0, data.length - 1));
        ch.writeInbound(in);
        for (Object o; (o = ch.readOutbound()) != null;) {
            ByteBuf b = (ByteBuf) o;
            String text = b.toString(StandardCharsets.ISO_8859_1);
            b.release();
            assertThat(text).as("only typed errors").doesNotContain("could not process input");
        }
        ch.checkException();
        ch.finishAndReleaseAll();
        // The engine loop survived whatever the frames asked of it.
        CountDownLatch alive = new CountDownLatch(1);
        LOOP.submit((engine, now) -> alive.countDown());
        assertThat(alive.await(10, TimeUnit.SECONDS)).as("the engine loop still serves").isTrue();
    }
}
