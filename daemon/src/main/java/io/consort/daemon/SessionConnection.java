package io.consort.daemon;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import io.consort.protocol.DaemonFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection at the daemon: the inbound adapter (decode a frame, hand the engine an
 * input) and the outbound publisher (encode the engine's outputs for this session). Decoding runs
 * on the connection's event loop; encoding on the engine thread, into one buffer per batch.
 */
final class SessionConnection extends ChannelInboundHandlerAdapter implements OutputSink {
    private static final Logger log = LoggerFactory.getLogger(SessionConnection.class);
    /** Inputs a connection may have queued for the engine before we stop reading from it. */
    private static final int INPUTS_HIGH = 4096;
    private static final int INPUTS_LOW = 1024;
    /**
     * How long a connection we close with an ERROR may take to read it. A client that does not read
     * (a slow consumer whose socket is full) would otherwise keep the connection and its outbound
     * buffer forever, since the write of the ERROR never completes.
     */
    static final long CLOSE_GRACE_MILLIS = 3_000;

    private final long sessionId;
    private final EngineLoop loop;
    private final Runnable onClosed;
    private final AtomicInteger queuedInputs = new AtomicInteger();
    private @Nullable Channel channel;
    private boolean helloReceived;
    private volatile boolean failed;
    private volatile boolean pausedByInputs;
    private volatile boolean pausedByEngine;

    // engine-thread state
    private @Nullable ByteBuf staged;
    private @Nullable FrameWriter stagedWriter;
    /** The largest first allocation for a batch: the pooled allocator's usual chunk-friendly size. */
    private static final int STAGE_CAPACITY_MAX = 64 * 1024;
    private boolean closeAfterFlush;

    SessionConnection(long sessionId, EngineLoop loop, Runnable onClosed) {
        this.sessionId = sessionId;
        this.loop = loop;
        this.onClosed = onClosed;
    }

    @Override
    public long sessionId() {
        return sessionId;
    }

    // ------------------------------------------------------------ inbound, on the event loop

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!failed) {
                onFrame(ctx, frame);
            }
        } catch (ConsortException e) {
            fail(ctx, e.code(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void onFrame(ChannelHandlerContext ctx, ByteBuf frame) {
        FrameReader r = new FrameReader(frame);
        int type = r.type();
        if (!helloReceived && type != FrameType.HELLO) {
            throw new ConsortException(ErrorCode.PROTOCOL_VIOLATION,
                    "frame 0x" + Integer.toHexString(type) + " before HELLO");
        }
        switch (type) {
            case FrameType.HELLO -> {
                if (helloReceived) {
                    throw new ConsortException(ErrorCode.PROTOCOL_VIOLATION, "second HELLO");
                }
                // Credentials, if any, were checked by the SessionGate in front of this handler.
                String user = io.consort.protocol.Hello.decode(r).user();
                helloReceived = true;
                submit(ctx, (e, now) -> e.connect(sessionId, user, now));
            }
            case FrameType.SUBSCRIBE -> {
                int streamId = r.i32("streamId");
                int flags = r.u8("flags");
                String group = r.str("group");
                r.end();
                StreamFilter filter = new StreamFilter(group.isEmpty() ? null : group,
                        (flags & FrameType.STREAM_MESSAGES) != 0, (flags & FrameType.STREAM_VIEWS) != 0);
                submit(ctx, (e, now) -> e.subscribe(sessionId, streamId, filter, now));
            }
            case FrameType.CREDIT -> {
                int streamId = r.i32("streamId");
                long credits = r.i64("credits");
                r.end();
                submit(ctx, (e, now) -> e.credit(sessionId, streamId, credits, now));
            }
            case FrameType.CANCEL -> {
                int streamId = r.i32("streamId");
                r.end();
                submit(ctx, (e, now) -> e.cancel(sessionId, streamId, now));
            }
            case FrameType.JOIN -> {
                int requestId = r.i32("requestId");
                String group = r.str("group");
                r.end();
                submit(ctx, (e, now) -> e.join(sessionId, requestId, group, now));
            }
            case FrameType.LEAVE -> {
                int requestId = r.i32("requestId");
                String group = r.str("group");
                r.end();
                submit(ctx, (e, now) -> e.leave(sessionId, requestId, group, now));
            }
            case FrameType.MULTICAST -> onMulticast(ctx, r);
            case FrameType.BYE -> {
                r.end();
                submit(ctx, (e, now) -> e.disconnect(sessionId, true, now));
                failed = true; // read nothing more
                ctx.channel().close();
            }
            default -> throw new ConsortException(ErrorCode.UNKNOWN_FRAME_TYPE,
                    "unknown frame type 0x" + Integer.toHexString(type));
        }
    }

    private void onMulticast(ChannelHandlerContext ctx, FrameReader r) {
        int requestId = r.i32("requestId");
        int levelCode = r.u8("level");
        int flags = r.u8("flags");
        int type = r.u16("type");
        List<String> groups = r.strs("groups");
        byte[] payload = r.bytes("payload");
        r.end();
        ServiceLevel level;
        try {
            level = ServiceLevel.fromCode(levelCode);
        } catch (ConsortException e) {
            // A well-formed frame with a bad field: refuse the request, keep the session. The engine never
            // counted the credit, so the client's refund with FAILED keeps both sides in step.
            ByteBuf b = ctx.alloc().buffer(64);
            DaemonFrames.failed(new FrameWriter(b), requestId, e.code(), e.getMessage());
            ctx.writeAndFlush(b);
            return;
        }
        boolean selfDiscard = (flags & FrameType.SELF_DISCARD) != 0;
        submit(ctx, (e, now) -> e.multicast(sessionId, requestId, groups, level, selfDiscard, type, payload, now));
    }

    private void submit(ChannelHandlerContext ctx, EngineInput input) {
        if (queuedInputs.incrementAndGet() >= INPUTS_HIGH) {
            // Bounded memory whatever the client sends: stop reading until the engine caught up.
            pausedByInputs = true;
            updateAutoRead(ctx.channel());
        }
        loop.submit((engine, now) -> {
            try {
                input.apply(engine, now);
            } finally {
                if (queuedInputs.decrementAndGet() == INPUTS_LOW) {
                    Channel ch = channel;
                    if (ch != null) {
                        ch.eventLoop().execute(() -> {
                            pausedByInputs = false;
                            updateAutoRead(ch);
                        });
                    }
                }
            }
        });
    }

    /**
     * Reads while neither reason to stop holds: too many inputs queued for the engine, or the engine's
     * {@link Output.PauseReading} (too many of this session's multicast bytes unordered).
     */
    private void updateAutoRead(Channel ch) {
        if (!failed) {
            ch.config().setAutoRead(!pausedByInputs && !pausedByEngine);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (helloReceived) {
            loop.submit((e, now) -> e.writable(sessionId, writable, now));
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (helloReceived) {
            // After a BYE the engine already removed the session and ignores this.
            loop.submit((e, now) -> e.disconnect(sessionId, false, now));
        }
        loop.submit((e, now) -> onClosed.run());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            fail(ctx, ErrorCode.MALFORMED_FRAME, "frame too long: " + cause.getMessage());
        } else if (cause instanceof DecoderException) {
            // A negative length prefix, for one: the client's fault, not worth a stack trace.
            fail(ctx, ErrorCode.MALFORMED_FRAME, "undecodable frame: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            ctx.close();
        } else {
            log.warn("session {}: closing after an unexpected error", sessionId, cause);
            fail(ctx, ErrorCode.MALFORMED_FRAME, "could not process input: " + cause);
        }
    }

    /** Tells the client why, then closes; the engine sees a lost connection (DISCONNECT for the others). */
    private void fail(ChannelHandlerContext ctx, ErrorCode code, String reason) {
        if (failed) {
            return;
        }
        failed = true;
        ctx.channel().config().setAutoRead(false);
        ByteBuf b = ctx.alloc().buffer(64 + reason.length());
        DaemonFrames.error(new FrameWriter(b), code, reason);
        closeAfter(ctx.channel(), ctx.writeAndFlush(b));
    }

    /** Closes once {@code write} is done, or after {@link #CLOSE_GRACE_MILLIS} if the client does not read it. */
    private static void closeAfter(Channel ch, ChannelFuture write) {
        write.addListener(ChannelFutureListener.CLOSE);
        ch.eventLoop().schedule(() -> {
            if (ch.isOpen()) {
                ch.close();
            }
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Bytes waiting in Netty's outbound buffer of this connection (for tests and metrics). */
    @Override
    public long pendingOutboundBytes() {
        Channel ch = channel;
        if (ch == null) {
            return 0;
        }
        ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    // ------------------------------------------------------------ outbound, on the engine thread

    /** Encodes one output into this batch's buffer; true if it is the first of the batch. */
    @Override
    public boolean stage(Output o) {
        Channel ch = channel;
        if (ch == null || closeAfterFlush) {
            return false;
        }
        if (o instanceof Output.PauseReading p) {
            pausedByEngine = p.paused();
            updateAutoRead(ch);
            return false;
        }
        boolean first = staged == null;
        if (first) {
            staged = ch.alloc().buffer(initialCapacity(o));
            stagedWriter = new FrameWriter(staged);
        }
        FrameWriter w = stagedWriter;
        if (o instanceof Output.Deliver d) {
            DaemonFrames.event(w, d.streamId(), d.event());
        } else if (o instanceof Output.SendCredit c) {
            DaemonFrames.sendCredit(w, c.credits());
        } else if (o instanceof Output.RequestDone d) {
            DaemonFrames.done(w, d.requestId());
        } else if (o instanceof Output.RequestFailed f) {
            DaemonFrames.failed(w, f.requestId(), f.code(), f.reason());
        } else if (o instanceof Output.SessionAccepted a) {
            DaemonFrames.welcome(w, a.privateName(), a.sendCredits(), a.maxMessageBytes());
        } else if (o instanceof Output.CloseSession c) {
            if (c.code() != null) {
                DaemonFrames.error(w, c.code(), c.reason());
            }
            closeAfterFlush = true;
        }
        return first;
    }

    /**
     * Room for a batch that starts with {@code o}. A batch of deliveries is usually many messages of one
     * size (a ring visit's worth): starting at 256 bytes, the buffer grew by doubling and copied the
     * batch about once more; starting at a few frames' worth, it grows once or twice at most.
     */
    private static int initialCapacity(Output o) {
        if (o instanceof Output.Deliver d && d.event() instanceof MessageEvent m) {
            int frame = 64 + m.payload().length;
            return Math.min(STAGE_CAPACITY_MAX, Math.max(256, 8 * frame));
        }
        return 256;
    }

    /** Whether the connection takes more without queueing past its high water mark. */
    @Override
    public boolean isWritable() {
        Channel ch = channel;
        return ch == null || ch.isWritable();
    }

    /** Writes this batch's buffer, and closes if an output asked for it. */
    @Override
    public void flush() {
        Channel ch = channel;
        ByteBuf b = staged;
        staged = null;
        stagedWriter = null;
        if (ch == null || b == null) {
            return;
        }
        if (closeAfterFlush) {
            closeAfter(ch, ch.writeAndFlush(b));
        } else {
            ch.writeAndFlush(b, ch.voidPromise());
        }
    }
}
