package io.consort.reactive.daemon;

import io.consort.core.Engine;
import io.consort.reactive.protocol.FrameType;
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
import reactor.netty.DisposableServer;
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
    private final DaemonOptions options;
    private final EngineLoop loop;
    private final OutputDispatcher dispatcher = new OutputDispatcher();
    private final AtomicLong nextSessionId = new AtomicLong();
    private final DisposableServer server;

    private EmbeddedDaemon(DaemonOptions options) {
        this.options = options;
        this.loop = new EngineLoop(new Engine(options.engine()), dispatcher,
                "consort-engine-" + options.engine().daemonName());
        loop.start();
        int maxFrame = options.engine().maxMessageBytes() + FrameType.HEADER_ALLOWANCE_BYTES;
        try {
            this.server = TcpServer.create()
                    .host(options.host())
                    .port(options.port())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                    .doOnConnection(conn -> {
                        long id = nextSessionId.incrementAndGet();
                        SessionConnection session = new SessionConnection(id, loop, () -> dispatcher.unregister(id));
                        dispatcher.register(session);
                        conn.addHandlerLast("consortFrames",
                                new LengthFieldBasedFrameDecoder(maxFrame, 0, FrameType.LENGTH_BYTES, 0,
                                        FrameType.LENGTH_BYTES));
                        conn.addHandlerLast("consortSession", session);
                        // Our handler consumes every frame before Reactor Netty's inbound bridge, which
                        // would otherwise keep reading off until something subscribes to it.
                        conn.channel().config().setAutoRead(true);
                    })
                    .handle((in, out) -> out.neverComplete())
                    .bindNow(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    /** Starts a daemon with {@code options}; port 0 picks a free port, see {@link #port()}. */
    public static EmbeddedDaemon start(DaemonOptions options) {
        return new EmbeddedDaemon(Objects.requireNonNull(options, "options"));
    }

    /** Starts a daemon on localhost with a free port and the default engine. */
    public static EmbeddedDaemon startEphemeral() {
        return start(DaemonOptions.defaults().withPort(0));
    }

    /** The port clients connect to. */
    public int port() {
        return ((InetSocketAddress) server.address()).getPort();
    }

    /** The address clients connect to. */
    public String host() {
        return options.host();
    }

    /** The options the daemon was started with. */
    public DaemonOptions options() {
        return options;
    }

    /** How many sessions the engine holds now. */
    public int sessionCount() throws InterruptedException {
        return loop.query(Engine::sessionCount);
    }

    /** Bytes the engine buffers for all sessions together now: what the slow-consumer bound keeps in check. */
    public long bufferedBytes() throws InterruptedException {
        return loop.query(Engine::totalBufferedBytes);
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
     * endpoint and the engine stop.
     */
    @Override
    public void close() {
        CountDownLatch told = new CountDownLatch(1);
        loop.submit((engine, now) -> {
            engine.shutdown(now);
            told.countDown();
        });
        try {
            told.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Give the goodbye frames a moment to reach the clients before the endpoint closes what is left.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dispatcher.connectionCount() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        server.disposeNow(Duration.ofSeconds(10));
        loop.close();
    }
}
