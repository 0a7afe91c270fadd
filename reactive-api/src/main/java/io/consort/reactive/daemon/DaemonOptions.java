package io.consort.reactive.daemon;

import io.consort.core.EngineConfig;
import io.consort.reactive.daemon.security.SessionSecurity;
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
 *         .withSecurity(SessionSecurity.none().withTls(ServerTls.of(chain, key)));
 * }</pre>
 *
 * @param host   the address to listen on
 * @param port   the TCP port for clients; 0 picks a free one
 * @param engine the engine configuration
 * @param security TLS, authentication and access control of client sessions ({@link SessionSecurity#none()} by default)
 */
public record DaemonOptions(String host, int port, EngineConfig engine, SessionSecurity security) {
    /** The documented default client port, Spread's own. */
    public static final int DEFAULT_PORT = 4803;

    public DaemonOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(security, "security");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
    }

    /** Options without session security. */
    public DaemonOptions(String host, int port, EngineConfig engine) {
        this(host, port, engine, SessionSecurity.none());
    }

    /** Localhost, port {@value #DEFAULT_PORT}, the default engine, no session security. */
    public static DaemonOptions defaults() {
        return new DaemonOptions("127.0.0.1", DEFAULT_PORT, EngineConfig.defaults());
    }

    public DaemonOptions withHost(String host) {
        return new DaemonOptions(host, port, engine, security);
    }

    public DaemonOptions withPort(int port) {
        return new DaemonOptions(host, port, engine, security);
    }

    public DaemonOptions withEngine(EngineConfig engine) {
        return new DaemonOptions(host, port, engine, security);
    }

    public DaemonOptions withSecurity(SessionSecurity security) {
        return new DaemonOptions(host, port, engine, security);
    }
}
