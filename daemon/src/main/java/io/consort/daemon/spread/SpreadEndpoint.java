package io.consort.daemon.spread;

import io.consort.daemon.EngineHost;
import io.consort.daemon.SessionChecks;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import java.time.Duration;
import java.util.Objects;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.tcp.TcpServer;

/**
 * The Spread 4.4 client endpoint of a daemon: a TCP server whose connections speak Spread's
 * client protocol to the daemon's engine. {@link io.consort.daemon.EmbeddedDaemon}
 * starts it when {@link io.consort.daemon.DaemonOptions#spreadPort()} asks for it.
 *
 * <pre>{@code
 * EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withSpreadPort(4803)
 *         .withSpreadDaemonOrder(List.of("d1", "d2", "d3")));
 * // a Spread program: SP_connect("4803@localhost", "alice", 0, 1, &mbox, group)
 * }</pre>
 */
public final class SpreadEndpoint {
    private SpreadEndpoint() {
    }

    /**
     * Listens on {@code host:port} (0 for a free port) for Spread clients of {@code engine};
     * {@code checks} hold them to the daemon's session security, {@code order} lists group members
     * as Spread does.
     */
    public static DisposableServer bind(String host, int port, EngineHost engine, SessionChecks checks,
            SpreadMemberOrder order) {
        Objects.requireNonNull(engine, "engine");
        return TcpServer.create()
                .host(host)
                .port(port)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .doOnConnection(conn -> {
                    install(conn.channel().pipeline(), engine, checks, order);
                    conn.channel().config().setAutoRead(true);
                })
                .handle((in, out) -> out.neverComplete())
                .bindNow(Duration.ofSeconds(10));
    }

    /** Makes the connection of {@code p} a Spread session of {@code engine}, before Reactor Netty's bridge. */
    public static void install(ChannelPipeline p, EngineHost engine, SessionChecks checks, SpreadMemberOrder order) {
        SpreadConnection c = new SpreadConnection(engine, checks, order, p.channel());
        if (p.context(NettyPipeline.ReactiveBridge) != null) {
            p.addBefore(NettyPipeline.ReactiveBridge, "spreadSession", c);
        } else {
            p.addLast("spreadSession", c);
        }
    }
}
