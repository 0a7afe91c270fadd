package io.consort.reactive;

import io.consort.protocol.FrameType;
import io.consort.reactive.client.SessionConnector;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * How to reach a daemon: an immutable, reusable configuration, built fluently as Reactor Netty's
 * {@code TcpClient} is. Every call returns a copy; {@link #connect()} opens a new session each time
 * it is subscribed.
 *
 * <pre>{@code
 * ConsortClient client = ConsortClient.create()
 *         .host("127.0.0.1")
 *         .port(4803)
 *         .name("alice");
 * Mono<Session> session = client.connect();
 *
 * // A secured daemon: TLS, and a password identity.
 * ConsortClient secured = client.tls(ClientTls.trusting(Path.of("ca.crt")))
 *         .credentials(Credentials.password("alice", "s3cret"));
 * }</pre>
 */
public final class ConsortClient {
    private final String host;
    private final int port;
    private final @Nullable String name;
    private final Duration connectTimeout;
    private final @Nullable ClientTls tls;
    private final @Nullable Credentials credentials;
    private final @Nullable String inJvmAddress;

    private ConsortClient(String host, int port, @Nullable String name, Duration connectTimeout,
            @Nullable ClientTls tls, @Nullable Credentials credentials, @Nullable String inJvmAddress) {
        this.host = host;
        this.port = port;
        this.name = name;
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.credentials = credentials;
        this.inJvmAddress = inJvmAddress;
    }

    private ConsortClient(String host, int port, @Nullable String name, Duration connectTimeout) {
        this(host, port, name, connectTimeout, null, null, null);
    }

    /** A client for the daemon on 127.0.0.1:4803 with a random private name, plain TCP, no credentials. */
    public static ConsortClient create() {
        return new ConsortClient("127.0.0.1", FrameType.DEFAULT_PORT, null, Duration.ofSeconds(10));
    }

    /** Connects over TLS as {@code tls} says; null for plain TCP. */
    public ConsortClient tls(@Nullable ClientTls tls) {
        return new ConsortClient(host, port, name, connectTimeout, tls, credentials, inJvmAddress);
    }

    /** Authenticates with {@code credentials} in the handshake; null for none (anonymous, or the TLS certificate). */
    public ConsortClient credentials(@Nullable Credentials credentials) {
        return new ConsortClient(host, port, name, connectTimeout, tls, credentials, inJvmAddress);
    }

    /** The TLS configuration, or null for plain TCP. */
    public @Nullable ClientTls tls() {
        return tls;
    }

    /** The credentials sent in the handshake, or null. */
    public @Nullable Credentials credentials() {
        return credentials;
    }

    /** The daemon's host. */
    public ConsortClient host(String host) {
        return new ConsortClient(Objects.requireNonNull(host, "host"), port, name, connectTimeout, tls, credentials, inJvmAddress);
    }

    /** The daemon's client port. */
    public ConsortClient port(int port) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        return new ConsortClient(host, port, name, connectTimeout, tls, credentials, inJvmAddress);
    }

    /**
     * The user part of the private name ({@code #name#daemon}): unique per daemon, printable
     * ASCII without '#'. Unset, each connection picks a random one.
     */
    public ConsortClient name(String name) {
        return new ConsortClient(host, port, Objects.requireNonNull(name, "name"), connectTimeout, tls, credentials, inJvmAddress);
    }

    /** How long to wait for the TCP connection and the daemon's welcome. */
    public ConsortClient connectTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive, was " + timeout);
        }
        return new ConsortClient(host, port, name, timeout, tls, credentials, inJvmAddress);
    }

    /**
     * Connects in-process, without TCP, to a daemon this JVM hosts: {@code address} is its
     * {@code EmbeddedDaemon.inJvmAddress()}. Host, port and TLS are then unused; credentials still apply.
     * For applications that run their daemon embedded (one process per member, as a JGroups user has):
     * frames cross on Netty local channels, with no socket or system call per message.
     *
     * <pre>{@code
     * EmbeddedDaemon daemon = Consortd.startEmbedded("--config", "consort.yaml", "--name", "d1");
     * Session s = ConsortClient.create().inJvm(daemon.inJvmAddress()).connect().block();
     * }</pre>
     */
    public ConsortClient inJvm(String address) {
        return new ConsortClient(host, port, name, connectTimeout, tls, credentials,
                Objects.requireNonNull(address, "address"));
    }

    /** The in-JVM daemon address, or null for TCP to {@link #host()}:{@link #port()}. */
    public @Nullable String inJvmAddress() {
        return inJvmAddress;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The configured name, or null when each connection picks a random one. */
    public @Nullable String name() {
        return name;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Connects and says hello; emits the session once the daemon welcomed it. */
    public Mono<Session> connect() {
        return Mono.defer(() -> {
            String configured = name;
            String user = configured != null ? configured : "u" + UUID.randomUUID().toString().substring(0, 8);
            String local = inJvmAddress;
            return local != null ? SessionConnector.connectInJvm(local, user, connectTimeout, credentials)
                    : SessionConnector.connect(host, port, user, connectTimeout, tls, credentials);
        });
    }
}
