package io.consort.daemon;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.Input;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import io.consort.protocol.DaemonFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.consort.protocol.RingFrame;
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
final class SessionConnection extends ChannelInboundHandlerAdapter implements OutputSink, RingAnnouncer.Listener {
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
    /** Where RING frames come from (sessions at version 3 and later); null where no daemon runs one (tests). */
    private final @Nullable RingAnnouncer ring;
    private final AtomicInteger queuedInputs = new AtomicInteger();
    private @Nullable Channel channel;
    private boolean helloReceived;
    /** The session protocol version agreed in the handshake: the one WELCOME names and both ends speak. */
    private int protocolVersion = io.consort.protocol.FrameType.VERSION;
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
        this(sessionId, loop, onClosed, null);
    }

    SessionConnection(long sessionId, EngineLoop loop, Runnable onClosed, @Nullable RingAnnouncer ring) {
        this.sessionId = sessionId;
        this.loop = loop;
        this.onClosed = onClosed;
        this.ring = ring;
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
                io.consort.protocol.Hello hello = io.consort.protocol.Hello.decode(r);
                String user = hello.user();
                protocolVersion = hello.negotiated();
                helloReceived = true;
                submit(ctx, new Input.Connect(sessionId, user));
            }
            case FrameType.SUBSCRIBE -> {
                int streamId = r.i32("streamId");
                int flags = r.u8("flags");
                String group = r.str("group");
                r.end();
                StreamFilter filter = new StreamFilter(group.isEmpty() ? null : group,
                        (flags & FrameType.STREAM_MESSAGES) != 0, (flags & FrameType.STREAM_VIEWS) != 0);
                submit(ctx, new Input.Subscribe(sessionId, streamId, filter));
            }
            case FrameType.CREDIT -> {
                int streamId = r.i32("streamId");
                long credits = r.i64("credits");
                r.end();
                submit(ctx, new Input.Credit(sessionId, streamId, credits));
            }
            case FrameType.CANCEL -> {
                int streamId = r.i32("streamId");
                r.end();
                submit(ctx, new Input.Cancel(sessionId, streamId));
            }
            case FrameType.JOIN -> {
                int requestId = r.i32("requestId");
                String group = r.str("group");
                r.end();
                submit(ctx, new Input.Join(sessionId, requestId, group));
            }
            case FrameType.LEAVE -> {
                int requestId = r.i32("requestId");
                String group = r.str("group");
                r.end();
                submit(ctx, new Input.Leave(sessionId, requestId, group));
            }
            case FrameType.MULTICAST -> onMulticast(ctx, r);
            case FrameType.BYE -> {
                r.end();
                submit(ctx, new Input.Disconnect(sessionId, true));
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
        boolean selfDiscard = (flags & FrameType.SELF_DISCARD) != 0;
        // The engine checks the level (and the rest): a bad one fails the request, the session stays.
        submit(ctx, new Input.Multicast(sessionId, requestId, groups, levelCode, selfDiscard, type, payload));
    }

    private void submit(ChannelHandlerContext ctx, Input input) {
        if (queuedInputs.incrementAndGet() >= INPUTS_HIGH) {
            // Bounded memory whatever the client sends: stop reading until the engine caught up.
            pausedByInputs = true;
            updateAutoRead(ctx.channel());
        }
        loop.submit(input, afterInput);
    }

    /** Counts an input of this session off once the engine has applied it; resumes reading below the low mark. */
    private final Runnable afterInput = () -> {
        if (queuedInputs.decrementAndGet() == INPUTS_LOW) {
            Channel ch = channel;
            if (ch != null) {
                ch.eventLoop().execute(() -> {
                    pausedByInputs = false;
                    updateAutoRead(ch);
                });
            }
        }
    };

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
            loop.submit(new Input.Writable(sessionId, writable));
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (helloReceived) {
            // After a BYE the engine already removed the session and ignores this.
            loop.submit(new Input.Disconnect(sessionId, false));
        }
        loop.submit((EngineInput) (e, now) -> {
            if (ring != null) {
                ring.unsubscribe(sessionId);
            }
            onClosed.run();
        });
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
            DaemonFrames.welcome(w, protocolVersion, a.privateName(), a.sendCredits(), a.maxMessageBytes());
            RingAnnouncer r = ring;
            if (r != null && protocolVersion >= FrameType.RING_VERSION_MIN) {
                // In the WELCOME's own write: the client knows the ring from its first frame on.
                RingFrame.encode(w, r.current());
                r.subscribe(this);
            }
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

    /** Writes a RING frame now, outside any batch (after one, on the engine thread); false once closing. */
    @Override
    public boolean announce(RingFrame state) {
        Channel ch = channel;
        if (ch == null || closeAfterFlush || failed || !ch.isActive()) {
            return false;
        }
        ByteBuf b = ch.alloc().buffer(64 + 16 * state.memberIds().size());
        RingFrame.encode(new FrameWriter(b), state);
        ch.writeAndFlush(b, ch.voidPromise());
        return true;
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
