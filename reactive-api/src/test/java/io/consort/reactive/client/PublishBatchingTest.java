package io.consort.reactive.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.reactive.OutgoingMessage;
import io.consort.protocol.DaemonFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The client's publish path against a scripted daemon (an {@link EmbeddedChannel}, no socket): a
 * burst of publishes leaves as far fewer flushes than messages, every MULTICAST frame arrives
 * whole and in order, the send window bounds what is in flight, and the publish completes only
 * when the daemon accepted every message.
 */
class PublishBatchingTest {
    private static final int SIZE = 1000;

    /** Counts flushes the session asks for, below its own handler. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    private final FlushCounter counter = new FlushCounter();
    private final EmbeddedChannel channel = new EmbeddedChannel(counter);
    private final DefaultSession session = new DefaultSession(channel);

    PublishBatchingTest() {
        channel.pipeline().addLast(session.handler());
    }

    private void fromDaemon(Consumer<FrameWriter> frame) {
        ByteBuf b = Unpooled.buffer();
        frame.accept(new FrameWriter(b));
        b.skipBytes(FrameType.LENGTH_BYTES); // the client's frame decoder strips the length
        channel.writeInbound(b);
        channel.runPendingTasks();
    }

    private static OutgoingMessage numbered(int i) {
        byte[] p = new byte[SIZE];
        ByteBuffer.wrap(p).putInt(i).putInt(~i);
        p[SIZE - 1] = (byte) i;
        return OutgoingMessage.to("g").payload(p);
    }

    /** Every MULTICAST frame the session wrote so far, as payloads, in write order. */
    private List<byte[]> sentPayloads() {
        List<byte[]> out = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            while (b.isReadable()) {
                int length = b.readInt();
                ByteBuf frame = b.readSlice(length);
                FrameReader r = new FrameReader(frame);
                assertEquals(FrameType.MULTICAST, r.type());
                r.i32("requestId");
                r.u8("level");
                r.u8("flags");
                r.u16("type");
                assertEquals(List.of("g"), r.strs("groups"));
                out.add(r.bytes("payload"));
                r.end();
            }
            b.release();
        }
        return out;
    }

    @Test
    void aBurstLeavesAsFewFlushesAndArrivesWholeAndInOrder() throws Exception {
        int credits = 1000;
        int count = 3000;
        fromDaemon(w -> DaemonFrames.welcome(w, "#c#d1", credits, 1 << 20));
        CompletableFuture<Void> done = session.publish(Flux.range(0, count).map(PublishBatchingTest::numbered))
                .toFuture();
        channel.runPendingTasks();
        List<byte[]> payloads = new ArrayList<>(sentPayloads());
        assertEquals(credits, payloads.size(), "the send window bounds what is in flight");
        int accepted = 0;
        while (accepted < count) {
            assertFalse(done.isDone(), "completes only when the daemon accepted everything");
            int n = Math.min(250, count - accepted);
            accepted += n;
            fromDaemon(w -> DaemonFrames.sendCredit(w, n));
            payloads.addAll(sentPayloads());
        }
        assertTrue(done.isDone());
        done.get();
        assertEquals(count, payloads.size());
        for (int i = 0; i < count; i++) {
            assertArrayEquals(numbered(i).payloadBytes(), payloads.get(i), "message " + i);
        }
        // One flush for the first window, then about one per SEND_CREDIT (12 of them): far fewer than 3000.
        assertTrue(counter.flushes <= 1 + 2 * (count / 250), "flushes: " + counter.flushes);
    }

    @Test
    void largeMessagesAreAskedForByBytesNotByTheWholeWindow() throws Exception {
        int mib = 1 << 20;
        fromDaemon(w -> DaemonFrames.welcome(w, "#c#d1", 2048, 2 * mib));
        List<Integer> emitted = new ArrayList<>();
        CompletableFuture<Void> done = session.publish(Flux.range(0, 200).doOnNext(emitted::add)
                .map(i -> OutgoingMessage.to("g").payload(new byte[mib]))).toFuture();
        channel.runPendingTasks();
        // 2048 credits of 1 MiB messages would be 2 GiB in this JVM; the publication holds about 16 MiB.
        long bound = Publication.CLIENT_BYTES_MAX / mib + Publication.FIRST_STEP;
        assertTrue(emitted.size() <= bound, "asked upstream for " + emitted.size() + " messages of 1 MiB");
        int accepted = 0;
        while (accepted < 200) {
            int n = sentPayloads().size();
            assertTrue(n > 0, "what was asked for is sent");
            accepted += n;
            fromDaemon(w -> DaemonFrames.sendCredit(w, n));
            assertTrue(emitted.size() - accepted <= bound, "held: " + (emitted.size() - accepted));
        }
        assertTrue(done.isDone());
        done.get();
        assertEquals(200, emitted.size());
    }

    @Test
    void aRefusedMessageFailsThePublishAndStopsTheStream() {
        fromDaemon(w -> DaemonFrames.welcome(w, "#c#d1", 100, 2 * SIZE));
        List<Integer> emitted = new ArrayList<>();
        CompletableFuture<Void> done = session.publish(Flux.range(0, 50).doOnNext(emitted::add)
                .map(i -> i == 5 ? OutgoingMessage.to("g").payload(new byte[3 * SIZE]) : numbered(i))).toFuture();
        channel.runPendingTasks();
        assertTrue(done.isCompletedExceptionally());
        Throwable cause = done.handle((v, e) -> e).join();
        ConsortException ce = assertInstanceOf(ConsortException.class,
                cause instanceof java.util.concurrent.CompletionException ? cause.getCause() : cause);
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, ce.code());
        assertEquals(5, sentPayloads().size(), "the messages before the refused one were sent");
    }

    @Test
    void aLostConnectionFailsAPublishInProgress() {
        fromDaemon(w -> DaemonFrames.welcome(w, "#c#d1", 10, 1 << 20));
        CompletableFuture<Void> done = session.publish(Flux.range(0, 100).map(PublishBatchingTest::numbered))
                .toFuture();
        channel.runPendingTasks();
        assertEquals(10, sentPayloads().size());
        channel.close();
        channel.runPendingTasks();
        assertTrue(done.isCompletedExceptionally());
    }
}
