package io.consort.daemon;

import io.consort.core.EngineConfig;
import io.consort.protocol.FrameType;
import io.consort.daemon.security.SessionSecurity;
import java.util.List;
import java.util.Objects;

/**
 * Immutable options of a daemon's session endpoint: where it listens and the engine it runs.
 * Every {@code with...} returns a copy.
 *
 * <pre>{@code
 * DaemonOptions options = DaemonOptions.defaults()
 *         .withHost("127.0.0.1")
 *         .withPort(0) // ephemeral
 *         .withEngine(EngineConfig.defaults().withDaemonName("d1"))
 *         .withSecurity(SessionSecurity.none().withTls(ServerTls.of(chain, key)))
 *         .withSpreadPort(DaemonOptions.SPREAD_ON_CLIENT_PORT);
 * }</pre>
 *
 * <p>Spread 4.4 clients are served too with {@link #withSpreadPort}: on a port of their own, or
 * on the client port itself ({@link #SPREAD_ON_CLIENT_PORT}), where the first byte a client
 * sends tells the two protocols apart.
 *
 * @param host       the address to listen on
 * @param port       the TCP port for clients; 0 picks a free one
 * @param engine     the engine configuration
 * @param security   TLS, authentication and access control of client sessions ({@link SessionSecurity#none()} by default)
 * @param spreadPort the TCP port for Spread-protocol clients: {@link #SPREAD_OFF}, 0 for a free one,
 *                   a port, or {@link #SPREAD_ON_CLIENT_PORT}
 * @param spreadDaemonOrder the daemons of the network by name, in configuration order (spread.conf's):
 *                   Spread clients see a group's members listed by daemon in this order, as Spread
 *                   lists them; empty (the default), or a daemon not in it: after the others, by name
 */
public record DaemonOptions(String host, int port, EngineConfig engine, SessionSecurity security, int spreadPort,
        List<String> spreadDaemonOrder) {
    /** The documented default client port, Spread's own. */
    public static final int DEFAULT_PORT = FrameType.DEFAULT_PORT;
    /** {@link #spreadPort()}: no Spread-protocol endpoint (the default). */
    public static final int SPREAD_OFF = -1;
    /** {@link #spreadPort()}: Spread clients connect on the client port, beside Consort's own. */
    public static final int SPREAD_ON_CLIENT_PORT = -2;

    public DaemonOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(security, "security");
        spreadDaemonOrder = List.copyOf(spreadDaemonOrder);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (spreadPort < SPREAD_ON_CLIENT_PORT || spreadPort > 65535) {
            throw new IllegalArgumentException("spreadPort must be 0..65535, SPREAD_OFF or SPREAD_ON_CLIENT_PORT, was "
                    + spreadPort);
        }
    }

    /** Options without session security or a Spread-protocol endpoint. */
    public DaemonOptions(String host, int port, EngineConfig engine) {
        this(host, port, engine, SessionSecurity.none(), SPREAD_OFF, List.of());
    }

    /** Options with session security, without a Spread-protocol endpoint. */
    public DaemonOptions(String host, int port, EngineConfig engine, SessionSecurity security) {
        this(host, port, engine, security, SPREAD_OFF, List.of());
    }

    /** Localhost, port {@value #DEFAULT_PORT}, the default engine, no session security, no Spread endpoint. */
    public static DaemonOptions defaults() {
        return new DaemonOptions("127.0.0.1", DEFAULT_PORT, EngineConfig.defaults());
    }

    public DaemonOptions withHost(String host) {
        return new DaemonOptions(host, port, engine, security, spreadPort, spreadDaemonOrder);
    }

    public DaemonOptions withPort(int port) {
        return new DaemonOptions(host, port, engine, security, spreadPort, spreadDaemonOrder);
    }

    public DaemonOptions withEngine(EngineConfig engine) {
        return new DaemonOptions(host, port, engine, security, spreadPort, spreadDaemonOrder);
    }

    public DaemonOptions withSecurity(SessionSecurity security) {
        return new DaemonOptions(host, port, engine, security, spreadPort, spreadDaemonOrder);
    }

    /** Serves Spread 4.4 clients on {@code spreadPort} (see {@link #spreadPort()}). */
    public DaemonOptions withSpreadPort(int spreadPort) {
        return new DaemonOptions(host, port, engine, security, spreadPort, spreadDaemonOrder);
    }

    /** Lists Spread clients' group members by daemon in {@code daemonNames}' order (see {@link #spreadDaemonOrder()}). */
    public DaemonOptions withSpreadDaemonOrder(List<String> daemonNames) {
        return new DaemonOptions(host, port, engine, security, spreadPort, daemonNames);
    }

    /** Whether a Spread-protocol endpoint runs. */
    public boolean spreadEnabled() {
        return spreadPort != SPREAD_OFF;
    }
}
