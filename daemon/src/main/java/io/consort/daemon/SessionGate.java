package io.consort.daemon;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.daemon.security.AuthRequest;
import io.consort.daemon.security.Identity;
import io.consort.daemon.security.Permission;
import io.consort.protocol.DaemonFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.consort.protocol.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security check in front of a {@link SessionConnection}, one per connection: it authenticates
 * the HELLO and checks the connect permission before the HELLO goes on, and it checks each JOIN,
 * LEAVE and MULTICAST against the access policy before the frame goes on to the engine. A refused
 * login gets {@code ERROR AUTH_FAILED} (after the address's throttle delay) and the connection
 * closes; a denied request gets {@code FAILED ACCESS_DENIED} and nothing else happens.
 *
 * <p>It decodes only what it checks and passes on anything it cannot decode untouched, so that the
 * session connection reports the protocol error exactly as it would without a gate.
 */
final class SessionGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SessionGate.class);
    /** What a refused client is told: nothing about why. */
    static final String AUTH_FAILED_REASON = "authentication failed";
    static final String ACCESS_DENIED_REASON = "access denied";

    private enum State { NEW, AUTHENTICATING, ADMITTED, REFUSED }

    private final SessionChecks checks;
    private State state = State.NEW;
    private Identity identity = Identity.ANONYMOUS;
    /** Frames that arrived while the HELLO was being authenticated; at most one read's worth (reading is off). */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();

    /**
     * How long a connection to a secured daemon may stay without a HELLO: an unauthenticated client
     * should not hold a connection (and its TLS state) for as long as it likes.
     */
    static final long HELLO_DEADLINE_MILLIS = 10_000;

    SessionGate(SecurityRuntime runtime) {
        this.checks = new SessionChecks(runtime);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (state == State.NEW && ctx.channel().isActive()) {
                refuse(ctx, ErrorCode.PROTOCOL_VIOLATION, "no HELLO within " + HELLO_DEADLINE_MILLIS + " ms", 0);
            }
        }, HELLO_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        switch (state) {
            case NEW -> onFirst(ctx, frame);
            case AUTHENTICATING -> held.add(frame);
            case ADMITTED -> onRequest(ctx, frame);
            case REFUSED -> frame.release();
        }
    }

    private void onFirst(ChannelHandlerContext ctx, ByteBuf frame) {
        Hello hello;
        try {
            FrameReader r = new FrameReader(frame.duplicate());
            if (r.type() != FrameType.HELLO) {
                throw new ConsortException(ErrorCode.PROTOCOL_VIOLATION, "not a HELLO");
            }
            hello = Hello.decode(r);
        } catch (ConsortException e) {
            // Not a HELLO, or a bad one: the session connection answers it as it always does.
            state = State.REFUSED;
            ctx.fireChannelRead(frame);
            return;
        }
        state = State.AUTHENTICATING;
        held.add(frame);
        ctx.channel().config().setAutoRead(false);
        AuthRequest request = new AuthRequest(hello.user(), hello.identity(), hello.secret(), peerCertificates(ctx),
                remoteAddress(ctx));
        boolean queued = checks.authenticate(request, who -> ctx.executor().execute(() -> decide(ctx, request, who)));
        if (!queued) {
            refuse(ctx, ErrorCode.AUTH_FAILED, AUTH_FAILED_REASON, 0);
        }
    }

    private void decide(ChannelHandlerContext ctx, AuthRequest request, @Nullable Identity who) {
        if (state != State.AUTHENTICATING || !ctx.channel().isActive()) {
            releaseHeld();
            return;
        }
        boolean mayConnect = who != null && allows(who, Permission.CONNECT, request.user());
        if (!mayConnect) {
            // An anonymous client that may not connect is told to authenticate, like a wrong password.
            if (who == null || !who.authenticated()) {
                long delay = checks.failedLogin(request.remote());
                log.info("login refused from {} (user '{}')", request.remote().getHostAddress(), request.user());
                refuse(ctx, ErrorCode.AUTH_FAILED, AUTH_FAILED_REASON, delay);
            } else {
                log.info("{} from {} may not connect", who, request.remote().getHostAddress());
                refuse(ctx, ErrorCode.ACCESS_DENIED, ACCESS_DENIED_REASON, 0);
            }
            return;
        }
        identity = who;
        state = State.ADMITTED;
        ctx.fireChannelRead(held.poll()); // the HELLO
        // Reading back on first, so that the session connection's own flow control may turn it off again.
        ctx.channel().config().setAutoRead(true);
        while (!held.isEmpty() && state == State.ADMITTED) {
            onRequest(ctx, held.poll());
        }
        releaseHeld();
    }

    private void refuse(ChannelHandlerContext ctx, ErrorCode code, String reason, long delayNanos) {
        state = State.REFUSED;
        releaseHeld();
        Runnable answer = () -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            ByteBuf b = ctx.alloc().buffer(64);
            DaemonFrames.error(new FrameWriter(b), code, reason);
            ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
            ctx.executor().schedule(() -> {
                ctx.channel().close();
            }, SessionConnection.CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        };
        if (delayNanos <= 0) {
            answer.run();
        } else {
            ctx.executor().schedule(answer, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Checks a request frame of an admitted session; passes it on, or answers FAILED ACCESS_DENIED. */
    private void onRequest(ChannelHandlerContext ctx, ByteBuf frame) {
        int requestId;
        boolean allowed;
        try {
            FrameReader r = new FrameReader(frame.duplicate());
            int type = r.type();
            switch (type) {
                case FrameType.JOIN, FrameType.LEAVE -> {
                    requestId = r.i32("requestId");
                    String group = r.str("group");
                    allowed = allows(identity, type == FrameType.JOIN ? Permission.JOIN : Permission.LEAVE, group);
                }
                case FrameType.MULTICAST -> {
                    requestId = r.i32("requestId");
                    r.u8("level");
                    r.u8("flags");
                    r.u16("type");
                    List<String> groups = r.strs("groups");
                    allowed = true;
                    for (String g : groups) {
                        // A private group is a session's private name, #user#daemon; group names have no '#'.
                        Permission p = g.startsWith("#") ? Permission.UNICAST : Permission.SEND;
                        if (!allows(identity, p, g)) {
                            allowed = false;
                            break;
                        }
                    }
                }
                default -> {
                    ctx.fireChannelRead(frame);
                    return;
                }
            }
        } catch (ConsortException e) {
            ctx.fireChannelRead(frame); // malformed: the session connection says so
            return;
        }
        if (allowed) {
            ctx.fireChannelRead(frame);
            return;
        }
        frame.release();
        ByteBuf b = ctx.alloc().buffer(64);
        DaemonFrames.failed(new FrameWriter(b), requestId, ErrorCode.ACCESS_DENIED, ACCESS_DENIED_REASON);
        ctx.writeAndFlush(b);
    }

    private boolean allows(Identity who, Permission what, String target) {
        return checks.allows(who, what, target);
    }

    private void releaseHeld() {
        ByteBuf b;
        while ((b = held.poll()) != null) {
            b.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    private static List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // no client certificate (client auth none or want)
        }
    }

    private static InetAddress remoteAddress(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            return a.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }
}
