package io.consort.daemon.security;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything that secures a daemon's client sessions: TLS, the authentication step and the access
 * policy, with how failed logins are slowed down. Immutable; every {@code with...} returns a copy.
 * {@link #none()} is Consort without security, the loopback default.
 *
 * <pre>{@code
 * SessionSecurity security = SessionSecurity.none()
 *         .withTls(ServerTls.of(chain, key))
 *         .withAuthenticator(Authenticator.passwords(Map.of("alice", aliceHash)))
 *         .withPolicy(AccessRules.authenticatedOnly());
 * EmbeddedDaemon.start(DaemonOptions.defaults().withSecurity(security));
 * }</pre>
 *
 * @param tls               TLS on the client port, or null for plain TCP
 * @param authenticator     who a connecting session is
 * @param policy            what each identity may do
 * @param failureDelayMin   the delay before answering the first failed login from an address
 * @param failureDelayMax   the most it grows to (it doubles with each further failure)
 * @param throttledAddressesMax how many addresses' failures are remembered (the oldest are forgotten)
 */
public record SessionSecurity(@Nullable ServerTls tls, Authenticator authenticator, AccessPolicy policy,
        Duration failureDelayMin, Duration failureDelayMax, int throttledAddressesMax) {
    private static final SessionSecurity NONE = new SessionSecurity(null, Authenticator.none(),
            AccessPolicy.allowAll(), Duration.ofMillis(100), Duration.ofSeconds(10), 10_000);

    public SessionSecurity {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(failureDelayMin, "failureDelayMin");
        Objects.requireNonNull(failureDelayMax, "failureDelayMax");
        if (failureDelayMin.isNegative() || failureDelayMax.compareTo(failureDelayMin) < 0) {
            throw new IllegalArgumentException("need 0 <= failureDelayMin <= failureDelayMax, was "
                    + failureDelayMin + " and " + failureDelayMax);
        }
        if (throttledAddressesMax < 1) {
            throw new IllegalArgumentException("throttledAddressesMax must be positive, was " + throttledAddressesMax);
        }
    }

    /** No TLS, no authentication (everyone anonymous), no access control. */
    public static SessionSecurity none() {
        return NONE;
    }

    /** Whether this checks nothing at all, so that the daemon can skip the checks entirely. */
    public boolean checksNothing() {
        return authenticator == Authenticator.none() && policy == AccessPolicy.allowAll();
    }

    public SessionSecurity withTls(@Nullable ServerTls tls) {
        return new SessionSecurity(tls, authenticator, policy, failureDelayMin, failureDelayMax, throttledAddressesMax);
    }

    public SessionSecurity withAuthenticator(Authenticator authenticator) {
        return new SessionSecurity(tls, authenticator, policy, failureDelayMin, failureDelayMax, throttledAddressesMax);
    }

    public SessionSecurity withPolicy(AccessPolicy policy) {
        return new SessionSecurity(tls, authenticator, policy, failureDelayMin, failureDelayMax, throttledAddressesMax);
    }

    public SessionSecurity withFailureDelay(Duration min, Duration max) {
        return new SessionSecurity(tls, authenticator, policy, min, max, throttledAddressesMax);
    }

    public SessionSecurity withThrottledAddressesMax(int max) {
        return new SessionSecurity(tls, authenticator, policy, failureDelayMin, failureDelayMax, max);
    }
}
