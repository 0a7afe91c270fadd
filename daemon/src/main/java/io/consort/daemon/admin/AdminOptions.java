package io.consort.daemon.admin;

import java.util.Objects;

/**
 * Where the admin port listens and what it allows. Immutable; validated when built; every {@code with...}
 * returns a copy. In consortd's YAML: {@code admin: {port: 9464, address: 127.0.0.1, allowFaultInjection: false}};
 * without an {@code admin} section there is no admin port.
 *
 * <pre>{@code
 * AdminOptions admin = AdminOptions.defaults().withPort(0); // an ephemeral port, for tests
 * AdminServer server = AdminServer.start(daemon.monitor(), admin);
 * }</pre>
 *
 * @param address             the address to listen on (loopback by default: metrics say a lot about a ring)
 * @param port                the TCP port; 0 picks a free one
 * @param allowFaultInjection whether the monitor may cut this daemon's links for a test ({@code consort-monitor partition})
 */
public record AdminOptions(String address, int port, boolean allowFaultInjection) {
    /** The default admin port: the one Prometheus' exporters conventionally start from. */
    public static final int DEFAULT_PORT = 9464;

    public AdminOptions {
        Objects.requireNonNull(address, "address");
        if (address.isBlank()) {
            throw new IllegalArgumentException("address must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
    }

    /** 127.0.0.1:{@value #DEFAULT_PORT}, no fault injection. */
    public static AdminOptions defaults() {
        return new AdminOptions("127.0.0.1", DEFAULT_PORT, false);
    }

    public AdminOptions withAddress(String address) {
        return new AdminOptions(address, port, allowFaultInjection);
    }

    public AdminOptions withPort(int port) {
        return new AdminOptions(address, port, allowFaultInjection);
    }

    public AdminOptions withAllowFaultInjection(boolean allow) {
        return new AdminOptions(address, port, allow);
    }
}
