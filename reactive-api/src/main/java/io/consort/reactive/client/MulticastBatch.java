package io.consort.reactive.client;

import io.consort.reactive.OutgoingMessage;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Encodes a run of MULTICAST frames into as few buffers as possible, and hands each full buffer
 * to {@code sink}; the caller flushes once at the end. A publish burst then costs one buffer, one
 * channel write and one flush (one {@code write(2)}) per {@link #TARGET_BYTES} instead of one of
 * each per message, which is what the sender's profile spent its time on.
 */
final class MulticastBatch {
    /** A buffer is handed on once it holds this much: large enough to amortise, small enough to stay pooled. */
    static final int TARGET_BYTES = 64 * 1024;
    /** requestId, level, flags, type, group count, payload length, frame header: generous for one frame. */
    private static final int FIXED_FRAME_BYTES = 32;

    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> sink;
    private ByteBuf buf;
    private FrameWriter writer;
    private int buffers;

    MulticastBatch(ByteBufAllocator alloc, Consumer<ByteBuf> sink) {
        this.alloc = alloc;
        this.sink = sink;
    }

    /** Appends one MULTICAST frame, handing on the current buffer first if this frame would overfill it. */
    void add(int requestId, OutgoingMessage m) {
        int estimate = FIXED_FRAME_BYTES + m.payloadBytes().length + groupBytes(m);
        if (buf != null && buf.readableBytes() > 0 && buf.readableBytes() + estimate > TARGET_BYTES) {
            handOn();
        }
        if (buf == null) {
            buf = alloc.buffer(Math.max(estimate, Math.min(TARGET_BYTES, estimate * 16)));
            writer = new FrameWriter(buf);
        }
        ClientFrames.multicast(writer, requestId, m.groups(), m.level(), m.isSelfDiscard(), m.type(),
                m.payloadBytes());
    }

    /** Hands on what is buffered; returns how many buffers this batch handed on in all. */
    int finish() {
        if (buf != null) {
            handOn();
        }
        return buffers;
    }

    private void handOn() {
        ByteBuf b = buf;
        buf = null;
        writer = null;
        buffers++;
        sink.accept(b);
    }

    private static int groupBytes(OutgoingMessage m) {
        int n = 0;
        for (String g : m.groups()) {
            n += 2 + 3 * g.length(); // UTF-8 is at most 3 bytes per char
        }
        return n;
    }
}
