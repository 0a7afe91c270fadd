package io.consort.daemon;

import io.consort.core.Engine;
import io.consort.core.ErrorCode;
import io.consort.core.Input;
import io.consort.protocol.InJvm;
import io.consort.daemon.spread.SpreadEndpoint;
import io.consort.daemon.spread.SpreadMemberOrder;
import io.consort.protocol.FrameType;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.tcp.TcpServer;

/**
 * A Consort daemon running inside this JVM: the engine on its own thread and a TCP endpoint
 * for client sessions (Reactor Netty). Used by tests, by single-node applications, and by
 * consortd itself.
 *
 * <pre>{@code
 * try (EmbeddedDaemon daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0))) {
 *     Session s = ConsortClient.create().port(daemon.port()).connect().block();
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDaemon.class);
    private final DaemonOptions options;
    private final EngineLoop loop;
    private final OutputDispatcher dispatcher = new OutputDispatcher();
    private final AtomicLong nextSessionId = new AtomicLong();
    private static final AtomicLong IN_JVM_IDS = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private final DisposableServer server;
    private final String inJvmAddress;
    private final io.netty.channel.Channel inJvmServer;
    private final @Nullable DaemonNetwork network;
    private final SecurityRuntime security;
    private final EngineHost host;
    private final @Nullable DisposableServer spreadServer;
    private final java.util.concurrent.CompletableFuture<Throwable> failure = new java.util.concurrent.CompletableFuture<>();
    private final CountDownLatch failStopped = new CountDownLatch(1);
    private volatile boolean failed;
    private final DaemonMonitor monitor;

    private EmbeddedDaemon(DaemonOptions options, @Nullable DaemonNetwork network) {
        this.options = options;
        if (options.engine().clustered() && network == null) {
            throw new IllegalArgumentException("a clustered engine (daemon network) needs a DaemonNetwork");
        }
        if (!options.engine().clustered() && network != null) {
            throw new IllegalArgumentException("a DaemonNetwork needs a clustered engine: EngineConfig.withClustered(true)");
        }
        this.network = network;
        this.security = new SecurityRuntime(options.security()); // first: bad TLS files fail the start
        Engine engine = new Engine(options.engine());
        OutputCounters counted = new OutputCounters();
        this.loop = new EngineLoop(engine, outputs -> {
            counted.observe(outputs);
            dispatcher.accept(outputs);
        }, network, "consort-engine-" + options.engine().daemonName());
        // An input like any other, in this batch's wake: the engine reads no clock of the dispatcher's.
        dispatcher.onUnwritable(id -> loop.submit(new Input.Writable(id, false)));
        loop.onFailure(this::failStop);
        InputRecorder.start(options, loop);
        this.monitor = new DaemonMonitor(loop, network, counted, options, security::security);
        this.host = new EngineHost(loop, dispatcher, nextSessionId, options.engine().daemonName());
        try {
            loop.start();
        } catch (RuntimeException e) {
            if (network != null) {
                network.close();
            }
            loop.shutdownThread();
            throw e;
        }
        int maxFrame = options.engine().maxMessageBytes() + FrameType.HEADER_ALLOWANCE_BYTES;
        this.inJvmAddress = "consort-" + options.engine().daemonName() + "-" + IN_JVM_IDS.incrementAndGet();
        io.netty.channel.Channel local = null;
        try {
            local = bindInJvm(maxFrame);
            this.server = TcpServer.create()
                    .runOn(loop.resources(), reactor.netty.resources.LoopResources.hasNativeSupport())
                    .host(options.host())
                    .port(options.port())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                    .doOnChannelInit((observer, channel, remote) -> {
                        io.netty.handler.ssl.SslHandler tls = security.newTlsHandler(channel);
                        if (tls != null) {
                            channel.pipeline().addFirst("consortTls", tls);
                        }
                    })
                    .doOnConnection(conn -> {
                        if (options.spreadPort() == DaemonOptions.SPREAD_ON_CLIENT_PORT) {
                            conn.addHandlerLast("protocolSniffer", new ProtocolSniffer(
                                    p -> attach(p, maxFrame), p -> SpreadEndpoint.install(p, host,
                                            new SessionChecks(security),
                                            SpreadMemberOrder.of(options.spreadDaemonOrder()))));
                        } else {
                            attach(conn.channel().pipeline(), maxFrame);
                        }
                        // Our handler consumes every frame before Reactor Netty's inbound bridge, which
                        // would otherwise keep reading off until something subscribes to it.
                        conn.channel().config().setAutoRead(true);
                    })
                    .handle((in, out) -> out.neverComplete())
                    .bindNow(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            if (local != null) {
                local.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            security.close();
            loop.close();
            if (network != null) {
                network.close();
            }
            loop.shutdownThread();
            throw e;
        }
        this.inJvmServer = local;
        this.spreadServer = bindSpread(options, host, new SessionChecks(security), server, loop, network);
        monitor.start();
    }

    /** What the daemon shows the operator: snapshots, readiness, metrics' source ({@link DaemonMonitor}). */
    public DaemonMonitor monitor() {
        return monitor;
    }

    /**
     * Makes a new connection a Consort client session of this daemon (frames in, the session's outputs out),
     * TCP and in-JVM alike; on a Reactor Netty connection the handlers go before its inbound bridge.
     */
    private void attach(ChannelPipeline p, int maxFrame) {
        long id = nextSessionId.incrementAndGet();
        SessionConnection session = new SessionConnection(id, loop, () -> dispatcher.unregister(id),
                monitor.ringAnnouncer());
        dispatcher.register(session);
        java.util.function.BiConsumer<String, io.netty.channel.ChannelHandler> add =
                p.context(NettyPipeline.ReactiveBridge) != null
                        ? (name, h) -> p.addBefore(NettyPipeline.ReactiveBridge, name, h)
                        : p::addLast;
        add.accept("consortFrames",
                new LengthFieldBasedFrameDecoder(maxFrame, 0, FrameType.LENGTH_BYTES, 0, FrameType.LENGTH_BYTES));
        SessionGate gate = security.newGate();
        if (gate != null) {
            add.accept("consortGate", gate);
        }
        add.accept("consortSession", session);
    }

    /** Binds the in-JVM endpoint: sessions of this process connect to it without TCP ({@link #inJvmAddress()}). */
    private io.netty.channel.Channel bindInJvm(int maxFrame) {
        return new io.netty.bootstrap.ServerBootstrap()
                .group(InJvm.group())
                .channel(io.netty.channel.local.LocalServerChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.local.LocalChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.local.LocalChannel ch) {
                        attach(ch.pipeline(), maxFrame);
                    }
                })
                .bind(new io.netty.channel.local.LocalAddress(inJvmAddress))
                .syncUninterruptibly().channel();
    }

    /**
     * The address sessions of this JVM connect to without TCP, with
     * {@code ConsortClient.create().inJvm(daemon.inJvmAddress())}: frames cross on Netty local channels, so an
     * application that hosts its daemon pays no socket, system call or TCP stack per message.
     */
    public String inJvmAddress() {
        return inJvmAddress;
    }

    private static @Nullable DisposableServer bindSpread(DaemonOptions options, EngineHost host, SessionChecks checks,
            DisposableServer server, EngineLoop loop, @Nullable DaemonNetwork network) {
        if (options.spreadPort() < 0) {
            return null;
        }
        try {
            return SpreadEndpoint.bind(options.host(), options.spreadPort(), host, checks,
                    SpreadMemberOrder.of(options.spreadDaemonOrder()));
        } catch (RuntimeException e) {
            server.disposeNow(Duration.ofSeconds(10));
            loop.close();
            if (network != null) {
                network.close();
            }
            loop.shutdownThread();
            throw e;
        }
    }

    /** Starts a single daemon (a ring of one) with {@code options}; port 0 picks a free port, see {@link #port()}. */
    public static EmbeddedDaemon start(DaemonOptions options) {
        return new EmbeddedDaemon(Objects.requireNonNull(options, "options"), null);
    }

    /**
     * Starts a daemon of a daemon network: {@code options.engine()} must be
     * {@link io.consort.core.EngineConfig#clustered() clustered}, and {@code network} carries its
     * datagrams to the other daemons. The daemon owns the network from now on and closes it.
     */
    public static EmbeddedDaemon start(DaemonOptions options, DaemonNetwork network) {
        return new EmbeddedDaemon(Objects.requireNonNull(options, "options"), Objects.requireNonNull(network, "network"));
    }

    /** The system property that makes {@link #startEphemeral()} run the clustered ring engine. */
    public static final String CLUSTERED_PROPERTY = "consort.daemon.clustered";

    /**
     * Starts a daemon on localhost with a free port and the default engine. With the system property
     * {@value #CLUSTERED_PROPERTY}{@code =true}, the engine is clustered instead: the Totem ring
     * (TotemRing behind FragmentingRing) as a ring of one on {@link DaemonNetwork#alone()}, so tests
     * written for the single daemon run unchanged on the ring engine.
     */
    public static EmbeddedDaemon startEphemeral() {
        DaemonOptions options = DaemonOptions.defaults().withPort(0);
        if (Boolean.getBoolean(CLUSTERED_PROPERTY)) {
            return start(options.withEngine(options.engine().withClustered(true).withDaemonId(0)),
                    DaemonNetwork.alone());
        }
        return start(options);
    }

    /** The port clients connect to. */
    public int port() {
        return ((InetSocketAddress) server.address()).getPort();
    }

    /** The port Spread 4.4 clients connect to; -1 if the daemon serves none. */
    public int spreadPort() {
        if (spreadServer != null) {
            return ((InetSocketAddress) spreadServer.address()).getPort();
        }
        return options.spreadPort() == DaemonOptions.SPREAD_ON_CLIENT_PORT ? port() : -1;
    }

    /** The address clients connect to. */
    public String host() {
        return options.host();
    }

    /** The options the daemon was started with. */
    public DaemonOptions options() {
        return options;
    }

    /**
     * Replaces the session security for new connections and for every later request of existing
     * sessions (access rules); existing sessions keep their TLS connection and identity. Throws
     * IllegalArgumentException, changing nothing, if new TLS files do not load. A daemon started
     * without any check gates only the connections opened after a change.
     */
    public void updateSecurity(io.consort.daemon.security.SessionSecurity next) {
        security.update(next);
    }

    /** The session security in force now. */
    public io.consort.daemon.security.SessionSecurity security() {
        return security.security();
    }

    /** How many times the TLS certificate files were reloaded after a change (0 without TLS). */
    public long tlsReloads() {
        io.consort.daemon.security.ServerTlsContext tls = security.tls();
        return tls == null ? 0 : tls.reloads();
    }

    /**
     * Completes, with the engine's exception, if the daemon stopped on an engine fault (fail-stop): its
     * clients were told {@link ErrorCode#DAEMON_FAILED}, its sockets are closed, and the other daemons of
     * its network re-form without it. consortd exits non-zero then. Never completes for a daemon that
     * only {@link #close closes}.
     */
    public java.util.concurrent.CompletionStage<Throwable> failure() {
        return failure;
    }

    /** On the engine thread, once the engine threw: tells the clients, then stops the rest on a thread of its own. */
    private void failStop(Throwable cause) {
        failed = true;
        dispatcher.closeAll(ErrorCode.DAEMON_FAILED, "daemon " + options.engine().daemonName()
                + " stopped on an internal error: " + cause);
        Thread stopper = new Thread(() -> {
            try {
                stopAfterFailure();
            } finally {
                failStopped.countDown();
                failure.complete(cause);
            }
        }, "consort-failstop-" + options.engine().daemonName());
        stopper.setDaemon(true);
        stopper.start();
    }

    /** The daemon network first, so the others stop hearing this daemon at once; then the endpoints and the thread. */
    private void stopAfterFailure() {
        closing.set(true);
        DaemonNetwork n = network;
        if (n != null) {
            n.close();
        }
        // The goodbye frames were flushed on the engine thread; give them a moment to leave.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (dispatcher.connectionCount() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        DisposableServer s = server;
        if (s != null) {
            s.disposeNow(Duration.ofSeconds(10));
        }
        io.netty.channel.Channel local = inJvmServer;
        if (local != null) {
            local.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        security.close();
        DisposableServer spread = spreadServer;
        if (spread != null) {
            spread.disposeNow(Duration.ofSeconds(10));
        }
        loop.close();
        loop.shutdownThread();
    }

    private void awaitFailStop() {
        try {
            failStopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Applies {@code input} as if a driver had: a test-only seam, reachable from no socket, through which
     * a test passes an input the engine must refuse (a session id already in use) to see the daemon fail-stop.
     */
    void submitForTest(Input input) {
        loop.submit(input);
    }

    /** How many sessions the engine holds now. */
    public int sessionCount() throws InterruptedException {
        return loop.query(Engine::sessionCount);
    }

    /** Bytes the engine buffers for all sessions together now: what the slow-consumer bound keeps in check. */
    public long bufferedBytes() throws InterruptedException {
        return loop.query(Engine::totalBufferedBytes);
    }

    /** The id of the daemon configuration this daemon is in now (its incarnation for a single daemon). */
    public long configurationId() throws InterruptedException {
        return loop.query(Engine::configurationId);
    }

    /** The daemons of the current configuration, in ring order; empty for a single daemon or while it changes. */
    public java.util.List<Integer> configurationMembers() throws InterruptedException {
        return loop.query(Engine::configurationMembers);
    }

    /** How many messages the ring holds now, and how many inputs wait for the engine thread: for memory bounds. */
    public long heldMessages() throws InterruptedException {
        return loop.query(Engine::ringHeldMessages) + loop.queuedInputs();
    }

    /** Datagrams the engine dropped as malformed. */
    public long droppedDatagrams() throws InterruptedException {
        return loop.query(Engine::droppedDatagrams);
    }

    /** How many TCP connections the endpoint holds now, handshaken or not (for tests). */
    int connectionCount() {
        return dispatcher.connectionCount();
    }

    /** Bytes waiting in Netty's outbound buffers of all connections now (for tests). */
    long pendingOutboundBytes() {
        return dispatcher.pendingOutboundBytes();
    }

    /** The most bytes waiting in Netty's outbound buffer of any one connection now (for tests). */
    long maxConnectionOutboundBytes() {
        return dispatcher.maxPendingOutboundBytes();
    }

    /**
     * Shuts down gracefully: every session is told {@code DAEMON_SHUTDOWN} and closed, then the
     * endpoint and the engine stop. In a daemon network, the daemon first leaves the ring
     * gracefully ({@link Engine#shutdown}): its sessions' departures reach every daemon, so the
     * other daemons' members see each of them LEAVE (not DISCONNECT); then it announces its leave
     * and the others form a configuration without it at once, instead of detecting a crash. This
     * takes at most {@link io.consort.core.EngineConfig#leaveTimeoutNanos()}.
     */
    @Override
    public void close() {
        if (failed) {
            awaitFailStop(); // the fail-stop closes everything
            return;
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        CountDownLatch told = new CountDownLatch(1);
        loop.submit(new Input.Shutdown(), told::countDown);
        try {
            told.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (network != null) {
            awaitLeft();
        }
        // Give the goodbye frames a moment to reach the clients before the endpoint closes what is left.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dispatcher.connectionCount() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        server.disposeNow(Duration.ofSeconds(10));
        inJvmServer.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        security.close();
        if (spreadServer != null) {
            spreadServer.disposeNow(Duration.ofSeconds(10));
        }
        loop.close();
        if (network != null) {
            network.close();
        }
        loop.shutdownThread();
    }

    /**
     * Waits until the engine has left the ring. The engine bounds that itself by its leave timeout;
     * the wall-clock bound here (a second more) only guards against an engine thread that stalled.
     */
    private void awaitLeft() {
        long start = System.nanoTime();
        long deadline = start + options.engine().leaveTimeoutNanos() + TimeUnit.SECONDS.toNanos(1);
        try {
            while (System.nanoTime() < deadline && !loop.query(Engine::stopped)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            // Near the leave timeout means the others never answered: they will see a crash instead.
            log.info("daemon {} left the daemon ring in {} ms (leave timeout {} ms)", options.engine().daemonName(),
                    (System.nanoTime() - start) / 1_000_000, options.engine().leaveTimeoutNanos() / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            // the engine thread is gone: nothing more to wait for
        }
    }
}
