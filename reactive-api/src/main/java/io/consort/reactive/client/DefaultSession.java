package io.consort.reactive.client;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.core.ViewId;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.reactive.TransitionalSignal;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * The client side of one session. All state lives on the connection's event loop: public methods
 * hop onto it, frames arrive on it, so no locks are needed and frames leave in call order.
 */
final class DefaultSession implements Session {
    /** Who learns the fate of a multicast: the caller's Mono for one, the {@link Publication} for a publish. */
    interface Ack {
        void accepted();

        void failed(ConsortException error);
    }

    /** A multicast waiting for a send credit, or sent and waiting for the daemon to accept it. */
    private static final class PendingMulticast {
        final OutgoingMessage message;
        final Ack ack;
        int requestId;

        PendingMulticast(OutgoingMessage message, Ack ack) {
            this.message = message;
            this.ack = ack;
        }
    }

    private final Channel channel;
    private final EventLoop loop;
    private final Map<Integer, FluxSink<GroupEvent>> streams = new HashMap<>();
    private final Map<Integer, MonoSink<Void>> requests = new HashMap<>();
    private final ArrayDeque<PendingMulticast> sent = new ArrayDeque<>();
    private final ArrayDeque<PendingMulticast> waiting = new ArrayDeque<>();
    /** The publish() streams in progress (on the loop); usually none or one. */
    final List<Publication> publications = new ArrayList<>(1);
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private @Nullable MonoSink<Session> welcome;
    private volatile @Nullable String privateName;
    private volatile int protocolVersion;
    private volatile boolean open;
    private volatile io.consort.reactive.@Nullable RingState ringState;
    /** The latest RING, replayed to each new subscriber; emitted on the loop only. */
    private final Sinks.Many<io.consort.reactive.RingState> rings = Sinks.many().replay().latest();
    private boolean saidBye;
    private @Nullable ConsortException failure;
    private int sendCredits;
    private int sendWindow = 1;
    private int maxMessageBytes = Integer.MAX_VALUE;
    private int nextStreamId = 1;
    private int nextRequestId = 1;

    DefaultSession(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
    }

    ChannelInboundHandlerAdapter handler() {
        return new Handler();
    }

    Mono<Session> handshake(String user, io.consort.reactive.@Nullable Credentials credentials) {
        return handshake(user, credentials, true);
    }

    /**
     * Says HELLO and waits for WELCOME. {@code offer}: a version-3 HELLO offering every version this
     * client speaks; otherwise the HELLO of a client that predates negotiation (version 1, or 2 with
     * credentials), for a daemon that refused the offer as an unsupported version.
     */
    Mono<Session> handshake(String user, io.consort.reactive.@Nullable Credentials credentials, boolean offer) {
        return Mono.<Session>create(sink -> loop.execute(() -> {
            welcome = sink;
            write(w -> {
                if (offer) {
                    ClientFrames.helloOffering(w, FrameType.VERSION_MIN, user,
                            credentials == null ? null : credentials.identity(),
                            credentials == null ? null : credentials.secret());
                } else if (credentials == null) {
                    ClientFrames.hello(w, user);
                } else {
                    ClientFrames.hello(w, user, credentials.identity(), credentials.secret());
                }
            });
        })).doOnCancel(channel::close);
    }

    // ---------------------------------------------------------------- API

    @Override
    public int protocolVersion() {
        return protocolVersion;
    }

    @Override
    public String privateName() {
        String n = privateName;
        if (n == null) {
            throw new IllegalStateException("session not yet welcomed");
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Flux<io.consort.reactive.RingState> ring() {
        // Subscribed on the loop, so the replayed latest state arrives there too, as every later one does.
        return rings.asFlux().subscribeOn(reactor.core.scheduler.Schedulers.fromExecutor(loop), false);
    }

    @Override
    public io.consort.reactive.@Nullable RingState ringState() {
        return ringState;
    }

    @Override
    public Mono<Void> join(String group) {
        Objects.requireNonNull(group, "group");
        return request(id -> w -> ClientFrames.join(w, id, group));
    }

    @Override
    public Mono<Void> leave(String group) {
        Objects.requireNonNull(group, "group");
        return request(id -> w -> ClientFrames.leave(w, id, group));
    }

    private Mono<Void> request(java.util.function.IntFunction<Consumer<FrameWriter>> frame) {
        return Mono.create(sink -> loop.execute(() -> {
            if (!open) {
                sink.error(closedError());
                return;
            }
            int id = nextRequestId++;
            requests.put(id, sink);
            write(frame.apply(id));
        }));
    }

    @Override
    public Mono<Void> multicast(OutgoingMessage message) {
        Objects.requireNonNull(message, "message");
        return Mono.create(sink -> loop.execute(() -> {
            if (!open) {
                sink.error(closedError());
                return;
            }
            Ack ack = new Ack() {
                @Override
                public void accepted() {
                    sink.success();
                }

                @Override
                public void failed(ConsortException error) {
                    sink.error(error);
                }
            };
            if (enqueue(message, ack)) {
                pump();
            }
        }));
    }

    /** On the loop: queues a multicast for a send credit, or fails it at once if it is over the daemon's limit. */
    boolean enqueue(OutgoingMessage message, Ack ack) {
        if (message.payloadBytes().length > maxMessageBytes) {
            // Refused here: sent, a frame over the daemon's limit would cost the whole session.
            ack.failed(new ConsortException(ErrorCode.MESSAGE_TOO_LARGE, "message of "
                    + message.payloadBytes().length + " bytes is over the daemon's maximum of " + maxMessageBytes));
            return false;
        }
        waiting.add(new PendingMulticast(message, ack));
        return true;
    }

    @Override
    public Mono<Void> publish(Publisher<OutgoingMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        // One subscriber for the whole stream, requesting at most the send window ahead of the daemon's
        // acceptances (what flatMap(multicast, window) did, without a Mono, a task and a flush per message).
        return Mono.create(sink -> {
            Publication p = new Publication(this, loop, sink, Math.max(1, sendWindow));
            sink.onCancel(p::cancel);
            messages.subscribe(p);
        });
    }

    boolean isOpenOnLoop() {
        return open;
    }

    ConsortException closedErrorOnLoop() {
        return closedError();
    }

    /**
     * Sends what the credits allow: every frame of the run into as few buffers as {@link MulticastBatch}
     * needs, then one flush, so a burst (a publish, or the credits a SEND_CREDIT returns) is one syscall.
     */
    void pump() {
        if (sendCredits <= 0 || waiting.isEmpty()) {
            return;
        }
        MulticastBatch batch = new MulticastBatch(channel.alloc(), b -> channel.write(b, channel.voidPromise()));
        while (sendCredits > 0 && !waiting.isEmpty()) {
            PendingMulticast p = waiting.poll();
            sendCredits--;
            p.requestId = nextRequestId++;
            sent.add(p);
            batch.add(p.requestId, p.message);
        }
        if (batch.finish() > 0) {
            channel.flush();
        }
    }

    @Override
    public Flux<GroupMessage> messages() {
        return stream(null, true, false).cast(GroupMessage.class);
    }

    @Override
    public Flux<GroupMessage> messages(String group) {
        return stream(Objects.requireNonNull(group, "group"), true, false).cast(GroupMessage.class);
    }

    @Override
    public Flux<GroupView> views(String group) {
        return stream(Objects.requireNonNull(group, "group"), false, true)
                .filter(GroupView.class::isInstance)
                .cast(GroupView.class);
    }

    @Override
    public Flux<GroupEvent> events(String group) {
        return stream(Objects.requireNonNull(group, "group"), true, true);
    }

    @Override
    public Flux<GroupEvent> events() {
        return stream(null, true, true);
    }

    private Flux<GroupEvent> stream(@Nullable String group, boolean messages, boolean views) {
        return Flux.create(sink -> loop.execute(() -> {
            if (!open) {
                terminate(sink);
                return;
            }
            int id = nextStreamId++;
            streams.put(id, sink);
            write(w -> ClientFrames.subscribe(w, id, group, messages, views));
            // Each request(n) of the subscriber becomes credits at the daemon, as RSocket's REQUEST_N.
            sink.onRequest(n -> loop.execute(() -> {
                if (open && streams.get(id) == sink) {
                    write(w -> ClientFrames.credit(w, id, n));
                }
            }));
            sink.onDispose(() -> loop.execute(() -> {
                if (streams.remove(id) == sink && open) {
                    write(w -> ClientFrames.cancel(w, id));
                }
            }));
        }), FluxSink.OverflowStrategy.BUFFER);
    }

    @Override
    public Mono<Void> close() {
        return Mono.defer(() -> {
            loop.execute(() -> {
                if (open && !saidBye) {
                    saidBye = true;
                    write(ClientFrames::bye);
                    channel.close();
                } else if (!open) {
                    channel.close();
                }
            });
            return closed.asMono().onErrorResume(e -> Mono.empty());
        });
    }

    /** Closes the connection without BYE. */
    void abort() {
        channel.close();
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    // ---------------------------------------------------------------- frames in

    private void onFrame(ByteBuf frame) {
        FrameReader r = new FrameReader(frame);
        switch (r.type()) {
            case FrameType.WELCOME -> {
                int version = r.u16("version");
                if (version < FrameType.VERSION_MIN || version > FrameType.VERSION) {
                    // Not one this client offered: neither end can trust what the other means by a frame.
                    failure = new ConsortException(ErrorCode.UNSUPPORTED_VERSION, "the daemon chose protocol version "
                            + version + "; this client speaks " + FrameType.VERSION_MIN + " to " + FrameType.VERSION);
                    channel.close();
                    return;
                }
                protocolVersion = version;
                privateName = r.str("privateName");
                sendCredits = r.i32("sendCredits");
                sendWindow = sendCredits;
                maxMessageBytes = r.i32("maxMessageBytes");
                open = true;
                MonoSink<Session> w = welcome;
                welcome = null;
                if (w != null) {
                    w.success(this);
                }
            }
            case FrameType.MESSAGE -> {
                int streamId = r.i32("streamId");
                long seq = r.i64("sequence");
                String sender = r.str("sender");
                ServiceLevel level = ServiceLevel.fromCode(r.u8("level"));
                int type = r.u16("type");
                List<String> groups = r.strs("groups");
                byte[] payload = r.bytes("payload");
                emit(streamId, new GroupMessage(seq, sender, groups, level, type, payload));
            }
            case FrameType.VIEW -> {
                int streamId = r.i32("streamId");
                String group = r.str("group");
                ViewId id = new ViewId(r.i64("configurationId"), r.i64("sequence"));
                ViewCause cause = ViewCause.fromCode(r.u8("cause"));
                boolean selfLeave = (r.u8("flags") & FrameType.SELF_LEAVE) != 0;
                List<String> members = r.strs("members");
                List<String> changed = r.strs("changed");
                List<String> vsSet = r.strs("vsSet");
                emit(streamId, new GroupView(group, id, cause, members, changed, vsSet, selfLeave));
            }
            case FrameType.TRANSITIONAL -> {
                int streamId = r.i32("streamId");
                String group = r.str("group");
                emit(streamId, new TransitionalSignal(group, new ViewId(r.i64("configurationId"),
                        r.i64("sequence"))));
            }
            case FrameType.DONE -> {
                MonoSink<Void> s = requests.remove(r.i32("requestId"));
                if (s != null) {
                    s.success();
                }
            }
            case FrameType.FAILED -> onFailed(r.i32("requestId"),
                    new ConsortException(ErrorCode.fromCode(r.u16("code")), r.str("reason")));
            case FrameType.SEND_CREDIT -> {
                int n = r.i32("credits");
                for (int i = 0; i < n; i++) {
                    PendingMulticast p = sent.poll();
                    if (p != null) {
                        p.ack.accepted();
                    }
                }
                sendCredits += n;
                pump();
                // After the acceptances: a publication asks its source for as many more as were accepted, once.
                Publication.afterAcceptances(publications);
            }
            case FrameType.ERROR -> failure = new ConsortException(ErrorCode.fromCode(r.u16("code")),
                    r.str("reason"));
            case FrameType.RING -> {
                io.consort.protocol.RingFrame f = io.consort.protocol.RingFrame.decode(r);
                io.consort.reactive.RingState state = new io.consort.reactive.RingState(
                        io.consort.reactive.RingState.Phase.values()[f.phase()], f.configurationId(), f.daemon(),
                        f.daemonId(), f.memberIds(), f.memberNames());
                ringState = state;
                rings.tryEmitNext(state);
            }
            default -> {
                // A newer daemon's frame this client does not know: ignore it rather than drop the session.
            }
        }
    }

    private void emit(int streamId, GroupEvent event) {
        FluxSink<GroupEvent> sink = streams.get(streamId);
        if (sink != null) {
            sink.next(event);
        }
    }

    private void onFailed(int requestId, ConsortException error) {
        MonoSink<Void> s = requests.remove(requestId);
        if (s != null) {
            s.error(error);
            return;
        }
        for (Iterator<PendingMulticast> it = sent.iterator(); it.hasNext();) {
            PendingMulticast p = it.next();
            if (p.requestId == requestId) {
                it.remove();
                sendCredits++;
                p.ack.failed(error);
                pump();
                return;
            }
        }
    }

    private void onInactive() {
        boolean wasOpen = open;
        open = false;
        ConsortException error = failure;
        if (error == null && !saidBye) {
            error = new ConsortException(ErrorCode.CONNECTION_LOST, wasOpen
                    ? "connection to the daemon was lost" : "the daemon closed the connection during the handshake");
        }
        failure = error;
        MonoSink<Session> w = welcome;
        welcome = null;
        if (w != null) {
            w.error(closedError());
        }
        for (FluxSink<GroupEvent> sink : new ArrayList<>(streams.values())) {
            terminate(sink);
        }
        streams.clear();
        for (MonoSink<Void> s : requests.values()) {
            s.error(closedError());
        }
        requests.clear();
        for (PendingMulticast p : sent) {
            p.ack.failed(closedError());
        }
        sent.clear();
        for (PendingMulticast p : waiting) {
            p.ack.failed(closedError());
        }
        waiting.clear();
        for (Publication p : new ArrayList<>(publications)) {
            p.fail(closedError());
        }
        if (error == null) {
            closed.tryEmitEmpty();
            rings.tryEmitComplete();
        } else {
            closed.tryEmitError(error);
            rings.tryEmitError(error);
        }
    }

    private void terminate(FluxSink<GroupEvent> sink) {
        ConsortException error = failure;
        if (error == null) {
            sink.complete();
        } else {
            sink.error(error);
        }
    }

    private ConsortException closedError() {
        ConsortException error = failure;
        return error != null ? error : new ConsortException(ErrorCode.CONNECTION_LOST, "session is closed");
    }

    private void write(Consumer<FrameWriter> frame) {
        ByteBuf b = channel.alloc().buffer(64);
        frame.accept(new FrameWriter(b));
        channel.writeAndFlush(b, channel.voidPromise());
    }

    /** The Netty side: frames in, connection closed. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                onFrame(frame);
            } catch (ConsortException e) {
                failure = new ConsortException(ErrorCode.MALFORMED_FRAME, "bad frame from the daemon: "
                        + e.getMessage());
                ctx.close();
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onInactive();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable tls = cause.getCause() instanceof javax.net.ssl.SSLException ? cause.getCause() : cause;
            if (failure == null && tls instanceof javax.net.ssl.SSLException) {
                // The daemon refused the TLS handshake (under TLS 1.3 a client hears it only now).
                failure = new ConsortException(ErrorCode.CONNECTION_LOST, "TLS: " + tls.getMessage());
            } else if (failure == null && !(cause instanceof java.io.IOException)) {
                failure = new ConsortException(ErrorCode.MALFORMED_FRAME, "session failed: " + cause);
            }
            ctx.channel().close().addListener(ChannelFutureListener.CLOSE);
        }
    }
}
