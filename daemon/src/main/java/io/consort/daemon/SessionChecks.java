package io.consort.daemon;

import io.consort.daemon.security.AuthOutcome;
import io.consort.daemon.security.AuthRequest;
import io.consort.daemon.security.Identity;
import io.consort.daemon.security.Permission;
import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's session security as an endpoint of another protocol uses it: authentication on the
 * daemon's authentication threads, the access policy, and the failed-login throttle. The same
 * checks, on the same (reloadable) configuration, as {@code SessionGate} applies to Consort's own
 * sessions, so that a Spread client is held to what a Consort client is.
 *
 * <pre>{@code
 * if (!checks.checksNothing()) {
 *     checks.authenticate(request, who -> ...);   // who: null if refused, ANONYMOUS if nothing presented
 *     boolean ok = checks.allows(who, Permission.JOIN, "orders");
 * }
 * }</pre>
 */
public final class SessionChecks {
    private static final Logger log = LoggerFactory.getLogger(SessionChecks.class);
    private final SecurityRuntime runtime;

    SessionChecks(SecurityRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** Whether the security in force checks nothing: no authentication, no rules (then every session is let in). */
    public boolean checksNothing() {
        return runtime.security().checksNothing();
    }

    /**
     * Authenticates {@code request} on an authentication thread and hands {@code done} (on that
     * thread) the identity it proves: {@link Identity#ANONYMOUS} if it presented nothing, null if
     * it is refused. False, and {@code done} is not called, if too many logins wait already.
     */
    public boolean authenticate(AuthRequest request, Consumer<@Nullable Identity> done) {
        return runtime.submitAuthentication(() -> done.accept(identityOf(request)));
    }

    private @Nullable Identity identityOf(AuthRequest request) {
        try {
            AuthOutcome o = runtime.security().authenticator().authenticate(request);
            if (o instanceof AuthOutcome.Authenticated a) {
                return a.identity();
            }
            return o instanceof AuthOutcome.NotPresented ? Identity.ANONYMOUS : null;
        } catch (RuntimeException e) {
            log.warn("authenticator failed on {}; refusing the login", request, e);
            return null;
        }
    }

    /** Whether {@code who} may do {@code what} to {@code target}; a policy that throws denies. */
    public boolean allows(Identity who, Permission what, String target) {
        try {
            return runtime.security().policy().allows(who, what, target);
        } catch (RuntimeException e) {
            log.warn("access policy failed on {} {} {}; denying", who, what, target, e);
            return false;
        }
    }

    /** Counts a failed login from {@code from}; the delay, in nanoseconds, before it is answered. */
    public long failedLogin(InetAddress from) {
        return runtime.throttle().failed(from, System.nanoTime());
    }
}
