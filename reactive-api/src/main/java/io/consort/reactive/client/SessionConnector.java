package io.consort.reactive.client;

import io.consort.protocol.InJvm;
import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.reactive.ClientTls;
import io.consort.reactive.Credentials;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.consort.reactive.Session;
import io.consort.protocol.FrameType;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;

/** Opens the TCP connection (Reactor Netty), installs the session handler and performs the handshake. */
public final class SessionConnector {
    /** The largest frame a client accepts: a message of up to 64 MiB plus its header. */
    private static final int MAX_FRAME_BYTES = (64 << 20) + FrameType.HEADER_ALLOWANCE_BYTES;

    private SessionConnector() {
    }

    /**
     * Connects in-process to the daemon whose in-JVM address is {@code address} (see
     * {@code EmbeddedDaemon.inJvmAddress()}) as {@code user}, authenticating with {@code credentials} if the
     * daemon asks for them (TLS has no place in-process); emits once the daemon sent WELCOME.
     */
    public static Mono<Session> connectInJvm(String address, String user, Duration timeout,
            @Nullable Credentials credentials) {
        return Mono.<Channel>create(sink -> {
            ChannelFuture f = new Bootstrap().group(InJvm.group()).channel(LocalChannel.class)
                    .handler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            // handlers are added once the session exists, below
                        }
                    })
                    .connect(new LocalAddress(address));
            f.addListener((ChannelFuture done) -> {
                if (done.isSuccess()) {
                    sink.success(done.channel());
                } else {
                    sink.error(new ConsortException(ErrorCode.CONNECTION_LOST,
                            "no in-JVM daemon at " + address + ": " + done.cause()));
                }
            });
        }).flatMap(ch -> {
            DefaultSession session = new DefaultSession(ch);
            ch.pipeline().addLast("consortFrames", new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0,
                    FrameType.LENGTH_BYTES, 0, FrameType.LENGTH_BYTES));
            ch.pipeline().addLast("consortSession", session.handler());
            return session.handshake(user, credentials);
        }).timeout(timeout).cast(Session.class);
    }

    /** Connects to {@code host:port} as {@code user}; emits once the daemon sent WELCOME. */
    public static Mono<Session> connect(String host, int port, String user, Duration timeout) {
        return connect(host, port, user, timeout, null, null);
    }

    /** Connects to {@code host:port} as {@code user}, over TLS if {@code tls}, authenticating with {@code credentials}. */
    public static Mono<Session> connect(String host, int port, String user, Duration timeout, @Nullable ClientTls tls,
            @Nullable Credentials credentials) {
        TcpClient client = TcpClient.newConnection();
        if (tls != null) {
            // Built per connection: the client's certificate files may have been rotated since the last one.
            client = client.secure(spec -> spec.sslContext(tls.newContext()).handlerConfigurator(handler -> {
                if (tls.hostnameVerification()) {
                    SSLParameters p = handler.engine().getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    handler.engine().setSSLParameters(p);
                }
            }));
        }
        // A session owns its connection for its whole life and never gives it back, so it does not
        // come from Reactor Netty's default pool, whose cap on connections to one address would make
        // a later session's connect() wait for a release that never comes (seen by the benchmark's
        // load processes at the 17th session).
        return client
                .host(host)
                .port(port)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .connect()
                .flatMap(conn -> {
                    DefaultSession session = new DefaultSession(conn.channel());
                    conn.addHandlerLast("consortFrames", new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0,
                            FrameType.LENGTH_BYTES, 0, FrameType.LENGTH_BYTES));
                    conn.addHandlerLast("consortSession", session.handler());
                    // Frames are consumed by our handler, never by Reactor Netty's inbound bridge: read freely.
                    conn.channel().config().setAutoRead(true);
                    return session.handshake(user, credentials);
                })
                .timeout(timeout)
                .cast(Session.class);
    }
}
