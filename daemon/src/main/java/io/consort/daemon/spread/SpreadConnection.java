package io.consort.daemon.spread;

import static io.consort.daemon.spread.SpreadWire.HEADER_BYTES;
import static io.consort.daemon.spread.SpreadWire.NAME_BYTES;

import io.consort.core.Engine;
import io.consort.core.ErrorCode;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewCause;
import io.consort.core.ViewEvent;
import io.consort.daemon.EngineHost;
import io.consort.daemon.OutputSink;
import io.consort.daemon.SessionChecks;
import io.consort.daemon.security.AuthRequest;
import io.consort.daemon.security.Identity;
import io.consort.daemon.security.Permission;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spread 4.4 client at a Consort daemon. Inbound (on the connection's event loop) it decodes
 * the handshake and the client's messages and submits the engine inputs a Consort session's
 * would be: connect, one stream of every message (and view, with the membership flag) with
 * unbounded credits, join, leave, multicast, disconnect. Outbound (on the engine thread) it
 * encodes the engine's outputs as a Spread daemon's messages ({@link SpreadMessages}).
 *
 * <p>A Spread client has no send credits: it writes, and its daemon takes what it writes. So the
 * connection keeps the engine's send window itself: multicasts beyond it wait here, in order, and
 * reading from the client stops while too many wait, which bounds memory as TCP backpressure.
 *
 * <p>Violations of the protocol after the handshake kill the session, as Spread's
 * {@code Sess_validate_read_header} does: the connection closes and the session's groups see it
 * DISCONNECT. Handshake failures get Spread's one-byte reject codes.
 */
final class SpreadConnection extends ByteToMessageDecoder implements OutputSink {
    private static final Logger log = LoggerFactory.getLogger(SpreadConnection.class);
    /** The one stream every Spread session has: all its messages and, with the membership flag, views. */
    private static final int STREAM_ID = 1;
    /** Multicasts waiting for the engine (queued or beyond the send window) before reading stops. */
    private static final int WAITING_HIGH = 1024;
    private static final int WAITING_LOW = 256;
    /** Spread's daemon waits 1 s for the connect message; we are lenient, a client on a busy host may be slow. */
    private static final long HANDSHAKE_MILLIS = 10_000;
    private static final byte[] AUTH_LIST = "NULL ".getBytes(StandardCharsets.US_ASCII);
    /** With session security: NULL (anonymous) and Consort's own credentials ({@link SpreadCredentials}). */
    private static final byte[] SECURED_AUTH_LIST = ("NULL " + SpreadCredentials.METHOD + " ")
            .getBytes(StandardCharsets.US_ASCII);

    private enum State { CONNECT, AUTH, CREDENTIALS, AUTHENTICATING, OPEN, DEAD }

    private final EngineHost host;
    private final SessionChecks checks;
    /** Whether this connection is held to the daemon's session security (decided when it opens, as for Consort's). */
    private final boolean secured;
    private final SpreadMemberOrder memberOrder;
    private final Channel channel;
    private final long sessionId;
    private final AtomicInteger waitingCount = new AtomicInteger();

    // event-loop state
    private State state = State.CONNECT;
    private int clientVersion;
    private boolean membership;
    private String user = "";
    private Identity identity = Identity.ANONYMOUS;
    private volatile String privateGroup = "";
    private boolean connected;

    // engine-thread state
    private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
    private final LinkedHashMap<Integer, Outgoing> inFlight = new LinkedHashMap<>();
    private int sendCredits;
    private int nextRequestId;
    private int nextMembershipRequestId = -1;
    private boolean accepted;
    private boolean pumpQueued;
    private @Nullable ByteBuf staged;
    private boolean closeAfterFlush;
    /** The daemons (by name) of the latest transitional configuration this session was told of; null: none known. */
    private @Nullable Set<String> staying;
    /**
     * This session's own join during a configuration change: the engine tells the joiner of the
     * transitional configuration just after the view, so the view waits for it (for its vs-sets).
     */
    private @Nullable ViewEvent pendingJoin;
    private final SpreadGroupChanges changes = new SpreadGroupChanges();

    /** A client multicast, kept until the engine accepted it (or refused it: then it comes back as a reject). */
    private record Outgoing(int type, List<String> groups, int rawHint, int messType, byte[] payload) {
    }

    SpreadConnection(EngineHost host, SessionChecks checks, SpreadMemberOrder memberOrder, Channel channel) {
        this.host = host;
        this.checks = checks;
        this.secured = !checks.checksNothing();
        this.memberOrder = memberOrder;
        this.channel = channel;
        this.sessionId = host.newSessionId();
        channel.eventLoop().schedule(() -> {
            if (!connected && channel.isOpen()) {
                channel.close();
            }
        }, HANDSHAKE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public long sessionId() {
        return sessionId;
    }

    // ------------------------------------------------------------ inbound, on the event loop

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (state != State.DEAD && in.isReadable()) {
            boolean progressed = switch (state) {
                case CONNECT -> readConnect(ctx, in);
                case AUTH -> readAuth(ctx, in);
                case CREDENTIALS -> readCredentials(ctx, in);
                case OPEN -> readMessage(ctx, in);
                case AUTHENTICATING, DEAD -> false;
            };
            if (!progressed) {
                return;
            }
        }
        if (state == State.DEAD) {
            in.skipBytes(in.readableBytes());
        }
    }

    /** The connect message: version, flags, name (CLIENT-PROTOCOL.md 2.1). */
    private boolean readConnect(ChannelHandlerContext ctx, ByteBuf in) {
        int at = in.readerIndex();
        if (in.readableBytes() < 2) {
            return false;
        }
        int major = in.getUnsignedByte(at);
        int minor = in.getUnsignedByte(at + 1);
        clientVersion = major * 10000 + minor * 100;
        boolean patch = clientVersion > 31400;
        if (clientVersion < 30100) {
            reject(ctx, SpreadWire.REJECT_VERSION);
            return false;
        }
        int head = 2 + (patch ? 1 : 0) + 2;
        if (in.readableBytes() < head) {
            return false;
        }
        if (patch) {
            clientVersion += in.getUnsignedByte(at + 2);
        }
        int flags = in.getByte(at + head - 2);
        int len = in.getByte(at + head - 1);
        if (len < 0 || len > SpreadWire.MAX_PRIVATE_NAME) {
            reject(ctx, SpreadWire.REJECT_ILLEGAL_NAME);
            return false;
        }
        if (in.readableBytes() < head + len) {
            return false;
        }
        membership = flags % 2 != 0;
        String name = in.toString(at + head, len, StandardCharsets.ISO_8859_1);
        in.skipBytes(head + len);
        if (len == 0) {
            // Spread makes up "r<random>-<fd>"; a session id is unique on this daemon as well.
            name = ("r" + (sessionId % 9999) + "-" + sessionId);
            name = name.substring(0, Math.min(9, name.length()));
        } else if (!SpreadWire.legalName(name)) {
            reject(ctx, SpreadWire.REJECT_ILLEGAL_NAME);
            return false;
        }
        user = name;
        if (clientVersion >= 31600) {
            byte[] methods = secured ? SECURED_AUTH_LIST : AUTH_LIST;
            ByteBuf list = ctx.alloc().buffer(1 + methods.length);
            list.writeByte(methods.length);
            list.writeBytes(methods);
            ctx.writeAndFlush(list);
            state = State.AUTH;
        } else {
            admit(ctx, null); // libraries before 3.16 skip authentication: anonymous
        }
        return true;
    }

    /** The client's choice of methods: 3 slots of 30 bytes, each one the daemon offered (2.3). */
    private boolean readAuth(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < SpreadWire.AUTH_CHOICE_BYTES) {
            return false;
        }
        int at = in.readerIndex();
        boolean credentials = false;
        for (int slot = 0; slot < 3; slot++) {
            int start = at + slot * SpreadWire.AUTH_NAME_BYTES;
            int end = start;
            while (end < start + SpreadWire.AUTH_NAME_BYTES && in.getByte(end) != 0) {
                end++;
            }
            if (end == start) {
                break;
            }
            String method = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
            if (secured && SpreadCredentials.METHOD.equals(method)) {
                credentials = true;
            } else if (!"NULL".equals(method)) {
                reject(ctx, SpreadWire.REJECT_AUTH);
                return false;
            }
        }
        in.skipBytes(SpreadWire.AUTH_CHOICE_BYTES);
        if (credentials) {
            state = State.CREDENTIALS;
        } else {
            admit(ctx, null);
        }
        return true;
    }

    /** What the client's {@link SpreadCredentials#METHOD} method sent after the choice. */
    private boolean readCredentials(ChannelHandlerContext ctx, ByteBuf in) {
        SpreadCredentials c;
        try {
            c = SpreadCredentials.read(in);
        } catch (IllegalArgumentException e) {
            reject(ctx, SpreadWire.REJECT_AUTH);
            return false;
        }
        if (c == null) {
            return false;
        }
        admit(ctx, c);
        return true;
    }

    /**
     * Lets the session in, after the daemon's authentication and connect rule where session
     * security is configured (then on an authentication thread first: a password check is slow).
     * A refusal is Spread's REJECT_AUTH, after the address's throttle delay for a failed login.
     */
    private void admit(ChannelHandlerContext ctx, @Nullable SpreadCredentials c) {
        if (!secured) {
            connect();
            return;
        }
        state = State.AUTHENTICATING;
        channel.config().setAutoRead(false);
        InetAddress remote = channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress() : InetAddress.getLoopbackAddress();
        AuthRequest request = new AuthRequest(user, c == null ? null : c.identity(), c == null ? null : c.secret(),
                List.of(), remote);
        boolean queued = checks.authenticate(request, who -> channel.eventLoop().execute(() -> decide(ctx, request, who)));
        if (!queued) {
            reject(ctx, SpreadWire.REJECT_AUTH);
        }
    }

    private void decide(ChannelHandlerContext ctx, AuthRequest request, @Nullable Identity who) {
        if (state != State.AUTHENTICATING || !channel.isActive()) {
            return;
        }
        if (who == null || !checks.allows(who, Permission.CONNECT, request.user())) {
            long delay = who == null || !who.authenticated() ? checks.failedLogin(request.remote()) : 0;
            log.info("spread login refused from {} (user '{}')", request.remote().getHostAddress(), request.user());
            state = State.DEAD;
            channel.eventLoop().schedule(() -> reject(ctx, SpreadWire.REJECT_AUTH), delay, TimeUnit.NANOSECONDS);
            return;
        }
        identity = who;
        connect();
        channel.config().setAutoRead(true);
    }

    private void connect() {
        state = State.OPEN;
        connected = true;
        privateGroup = "#" + user + "#" + host.daemonName();
        host.register(this);
        String name = user;
        StreamFilter filter = new StreamFilter(null, true, membership);
        host.submit((e, now) -> {
            e.connect(sessionId, name, now);
            e.subscribe(sessionId, STREAM_ID, filter, now);
            e.credit(sessionId, STREAM_ID, Long.MAX_VALUE, now);
        });
    }

    /** One message after the handshake: a 48-byte header, names, body (3, 4). */
    private boolean readMessage(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < HEADER_BYTES) {
            return false;
        }
        int at = in.readerIndex();
        boolean le = SpreadWire.littleEndian(in.getIntLE(at));
        int type = SpreadWire.field(in, at, le) & ~SpreadWire.ENDIAN_MARK;
        int numGroups = SpreadWire.field(in, at + 36, le);
        int dataLen = SpreadWire.field(in, at + 44, le);
        int rawHint = in.getIntLE(at + 40);
        int hint = SpreadWire.field(in, at + 40, SpreadWire.littleEndian(rawHint)) & ~SpreadWire.ENDIAN_MARK;
        String problem = validate(type, SpreadWire.name(in, at + 4), numGroups, hint, dataLen);
        if (problem != null) {
            kill(ctx, problem);
            return false;
        }
        int total = HEADER_BYTES + NAME_BYTES * numGroups + dataLen;
        if (in.readableBytes() < total) {
            return false;
        }
        List<String> groups = new ArrayList<>(numGroups);
        for (int i = 0; i < numGroups; i++) {
            groups.add(SpreadWire.name(in, at + HEADER_BYTES + NAME_BYTES * i));
        }
        byte[] payload = new byte[dataLen];
        in.getBytes(at + HEADER_BYTES + NAME_BYTES * numGroups, payload);
        in.skipBytes(total);
        if ((type & SpreadWire.KILL_MESS) != 0) {
            state = State.DEAD;
            ctx.close(); // channelInactive tells the engine: the others see DISCONNECT, as with Spread
            return false;
        }
        if ((type & (SpreadWire.JOIN_MESS | SpreadWire.LEAVE_MESS)) != 0) {
            if (groups.isEmpty()) {
                kill(ctx, "join or leave without a group");
                return false;
            }
            boolean join = (type & SpreadWire.JOIN_MESS) != 0;
            String group = groups.get(0);
            if (secured && !checks.allows(identity, join ? Permission.JOIN : Permission.LEAVE, group)) {
                // Spread's Sess_read: the join or leave comes back as a reject caused by it.
                rejectLater(join ? SpreadWire.CAUSED_BY_JOIN : SpreadWire.CAUSED_BY_LEAVE, rawHint, List.of(group),
                        new byte[0]);
                return true;
            }
            host.submit((e, now) -> {
                int id = nextMembershipRequestId--;
                if (join) {
                    e.join(sessionId, id, group, now);
                } else {
                    e.leave(sessionId, id, group, now);
                }
            });
            return true;
        }
        if (groups.isEmpty()) {
            return true; // to nobody: Spread drops it too
        }
        if (secured && !mayMulticast(groups)) {
            rejectLater(type, rawHint, groups, payload);
            return true;
        }
        Outgoing o = new Outgoing(type, List.copyOf(groups), rawHint, (hint >> 8) & 0xffff, payload);
        if (waitingCount.incrementAndGet() >= WAITING_HIGH) {
            channel.config().setAutoRead(false);
        }
        host.submit((e, now) -> {
            waiting.add(o);
            pump(e, now);
        });
        return true;
    }

    /** The access rules for a multicast: UNICAST for private groups, SEND for groups, each destination. */
    private boolean mayMulticast(List<String> groups) {
        for (String g : groups) {
            if (!checks.allows(identity, g.startsWith("#") ? Permission.UNICAST : Permission.SEND, g)) {
                return false;
            }
        }
        return true;
    }

    /** A reject of a request the access rules deny, in order with what the session gets from the engine. */
    private void rejectLater(int oldType, int rawHint, List<String> groups, byte[] payload) {
        List<String> names = List.copyOf(groups);
        host.submit((e, now) -> {
            ByteBuf b = staged != null ? staged : channel.alloc().buffer(256 + payload.length);
            SpreadMessages.reject(b, privateGroup, oldType, rawHint, names, payload);
            if (b != staged) {
                channel.writeAndFlush(b, channel.voidPromise());
            }
        });
    }

    /** Spread's Sess_validate_read_header: null if the header is acceptable, else why not. */
    private @Nullable String validate(int type, String name, int numGroups, int hint, int dataLen) {
        int kinds = Integer.bitCount(type & SpreadWire.REGULAR_MESS)
                + Integer.bitCount(type & (SpreadWire.JOIN_MESS | SpreadWire.LEAVE_MESS | SpreadWire.KILL_MESS));
        if (kinds != 1) {
            return "type 0x" + Integer.toHexString(type) + " is not exactly one service, join, leave or kill";
        }
        if (!name.equals(privateGroup)) {
            return "sender '" + name + "' is not this session's private group " + privateGroup;
        }
        if (numGroups < 0 || numGroups > SpreadWire.MAX_GROUPS_PER_MESSAGE) {
            return numGroups + " groups, the limit is " + SpreadWire.MAX_GROUPS_PER_MESSAGE;
        }
        if ((hint & ~0x00ffff00) != 0) {
            return "hint 0x" + Integer.toHexString(hint) + " has bits outside the message type";
        }
        if (dataLen < 0 || dataLen > SpreadWire.MAX_MESSAGE_BODY
                || dataLen + NAME_BYTES * numGroups > SpreadWire.MAX_BODY_AND_NAMES) {
            return "message of " + dataLen + " bytes and " + numGroups + " names is over the limit of "
                    + SpreadWire.MAX_BODY_AND_NAMES;
        }
        return null;
    }

    /** Sends a one-byte reject code and closes (handshake only). */
    private void reject(ChannelHandlerContext ctx, byte code) {
        state = State.DEAD;
        ByteBuf b = ctx.alloc().buffer(1);
        b.writeByte(code);
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes without a word, as a Spread daemon kills a session that broke the protocol. */
    private void kill(ChannelHandlerContext ctx, String why) {
        log.debug("spread session {}: killed: {}", privateGroup, why);
        state = State.DEAD;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = State.DEAD;
        if (connected) {
            connected = false;
            host.submit((e, now) -> e.disconnect(sessionId, false, now));
            host.unregisterAfterQueued(sessionId);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            log.warn("spread session {}: closing after an unexpected error", privateGroup, cause);
        }
        state = State.DEAD;
        ctx.close();
    }

    // ------------------------------------------------------------ engine thread

    /** Hands the engine as many waiting multicasts as the send window allows. */
    private void pump(Engine e, long now) {
        pumpQueued = false;
        while (sendCredits > 0 && !waiting.isEmpty()) {
            Outgoing o = waiting.poll();
            if (waitingCount.decrementAndGet() == WAITING_LOW) {
                channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
            }
            sendCredits--;
            int id = nextRequestId++;
            inFlight.put(id, o);
            ServiceLevel level = SpreadWire.level(o.type());
            e.multicast(sessionId, id, o.groups(), level, (o.type() & SpreadWire.SELF_DISCARD) != 0, o.messType(),
                    o.payload(), SpreadWire.originBits(o.type(), o.rawHint()), now);
        }
    }

    private void schedulePump() {
        if (!pumpQueued && !waiting.isEmpty()) {
            pumpQueued = true;
            host.submit(this::pump);
        }
    }

    @Override
    public boolean stage(Output o) {
        if (closeAfterFlush) {
            return false;
        }
        boolean first = staged == null;
        if (first) {
            staged = channel.alloc().buffer(initialCapacity(o));
        }
        ByteBuf b = staged;
        if (pendingJoin != null) {
            if (o instanceof Output.Deliver d && d.event() instanceof TransitionalEvent t
                    && t.group().equals(pendingJoin.group())) {
                learnTransitional(t);
            }
            writePendingJoin(b);
        }
        if (o instanceof Output.Deliver d) {
            if (d.event() instanceof MessageEvent m) {
                SpreadMessages.data(b, m);
            } else if (d.event() instanceof ViewEvent v) {
                if (v.selfLeave()) {
                    changes.viewSeen(v);
                    SpreadMessages.selfLeave(b, v.group());
                } else if (SpreadMessages.inConfigurationChange(v)) {
                    if (v.cause() == ViewCause.JOIN && v.changed().contains(privateGroup)) {
                        pendingJoin = v;
                    } else {
                        writeDuringChange(b, v);
                    }
                } else if (v.cause() == ViewCause.NETWORK) {
                    if (changes.network(v)) {
                        SpreadMessages.regular(b, v, privateGroup, memberOrder);
                    }
                } else {
                    changes.viewSeen(v);
                    SpreadMessages.regular(b, v, privateGroup, memberOrder);
                }
            } else if (d.event() instanceof TransitionalEvent t) {
                learnTransitional(t);
                if (changes.transitional(t, staying)) {
                    SpreadMessages.transitional(b, t);
                }
            }
        } else if (o instanceof Output.SessionAccepted a) {
            accepted = true;
            sendCredits = a.sendCredits();
            SpreadMessages.accept(b, a.privateName(), clientVersion >= 31500);
        } else if (o instanceof Output.SendCredit c) {
            sendCredits += c.credits();
            Iterator<Map.Entry<Integer, Outgoing>> it = inFlight.entrySet().iterator();
            for (int i = 0; i < c.credits() && it.hasNext(); i++) {
                it.next();
                it.remove();
            }
            schedulePump();
        } else if (o instanceof Output.RequestFailed f) {
            Outgoing m = inFlight.remove(f.requestId());
            if (m != null) {
                // A message the daemon cannot deliver comes back to its sender, as Spread's REJECT_MESS.
                sendCredits++;
                SpreadMessages.reject(b, privateGroup, m.type(), m.rawHint(), m.groups(), m.payload());
                schedulePump();
            } else {
                // Join or leave: Spread acknowledges neither; a leave of a group one is not in does nothing.
                log.debug("spread session {}: {}", privateGroup, f.reason());
            }
        } else if (o instanceof Output.CloseSession c) {
            if (!accepted) {
                b.writeByte(rejectCode(c.code()));
            }
            closeAfterFlush = true;
        }
        return first;
    }

    /** Which daemons go through the change: those of {@code t}'s transitional configuration, by name. */
    private void learnTransitional(TransitionalEvent t) {
        if (t.daemons().isEmpty()) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int id : t.daemons()) {
            String name = memberOrder.daemonName(id);
            if (name == null) {
                staying = null; // a daemon we cannot name: no guess at who leaves
                return;
            }
            names.add(name);
        }
        staying = names;
    }

    private void writePendingJoin(ByteBuf b) {
        ViewEvent v = pendingJoin;
        pendingJoin = null;
        writeDuringChange(b, v);
    }

    /** A join, leave or disconnect in the old ring's remainder: heavyweight if the change changes the group. */
    private void writeDuringChange(ByteBuf b, ViewEvent v) {
        if (changes.duringChange(v, staying)) {
            SpreadMessages.duringConfigurationChange(b, v, privateGroup, memberOrder, staying);
        } else {
            SpreadMessages.regular(b, v, privateGroup, memberOrder);
        }
    }

    private static byte rejectCode(@Nullable ErrorCode code) {
        if (code == null) {
            return SpreadWire.REJECT_QUOTA;
        }
        return switch (code) {
            case DUPLICATE_PRIVATE_NAME -> SpreadWire.REJECT_NOT_UNIQUE;
            case INVALID_PRIVATE_NAME -> SpreadWire.REJECT_ILLEGAL_NAME;
            case TOO_MANY_SESSIONS, DAEMON_SHUTDOWN -> SpreadWire.REJECT_QUOTA;
            default -> SpreadWire.REJECT_AUTH;
        };
    }

    private static int initialCapacity(Output o) {
        if (o instanceof Output.Deliver d && d.event() instanceof MessageEvent m) {
            return Math.min(64 * 1024, Math.max(256, 4 * (HEADER_BYTES + NAME_BYTES * m.groups().size()
                    + m.payload().length)));
        }
        if (o instanceof Output.Deliver d && d.event() instanceof ViewEvent v) {
            return SpreadMessages.regularBytes(v);
        }
        return 256;
    }

    @Override
    public void flush() {
        ByteBuf b = staged;
        if (b != null && pendingJoin != null) {
            writePendingJoin(b);
        }
        staged = null;
        if (b == null) {
            return;
        }
        if (closeAfterFlush) {
            channel.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
            channel.eventLoop().schedule(() -> {
                if (channel.isOpen()) {
                    channel.close();
                }
            }, 3, TimeUnit.SECONDS);
        } else {
            channel.writeAndFlush(b, channel.voidPromise());
        }
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public long pendingOutboundBytes() {
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        if (connected) {
            host.submit((e, now) -> e.writable(sessionId, writable, now));
        }
        super.channelWritabilityChanged(ctx);
    }
}
